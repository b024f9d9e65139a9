# HL_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Compile an empty program with FLAG (and -Werror, so an unknown flag that
# only warns is refused) and run the action that matches.
AC_DEFUN([HL_CHECK_CFLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  hl_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); $2],
    [AC_MSG_RESULT([no]); $3])
  CFLAGS=$hl_save_CFLAGS
])
