#!/bin/bash
# The house (issue 15): src/ is folders by concern, each with its README and
# build fragment, and no include loop crosses a folder, however long.
. "$(dirname "$0")/lib.sh"
GRAPH="$PY $top_srcdir/scripts/import-graph.py"

check "no include loop crosses a folder of src/" $GRAPH --check "$top_srcdir/src"
for d in "$top_srcdir"/src/*/; do
	f=$(basename "$d")
	check "src/$f has a README.md" test -s "$d/README.md"
	check "src/$f has its build fragment $f.am" test -s "$d/$f.am"
	for c in "$d"*.c; do
		c=src/$f/$(basename "$c")
		grep -q "$c" "$top_srcdir"/Makefile.am "$top_srcdir"/src/*/*.am \
		    "$top_srcdir"/mk/*.am || not_ok "$c is named in a build fragment"
	done
done

# The checker itself: a loop of two and a loop of three are both found.
plant() { mkdir -p "$T/$1/$2"; echo "#include \"$3/x.h\"" >"$T/$1/$2/a.c"; }
plant two a b; plant two b a
$GRAPH --check "$T/two" >"$T/two.out"
check "a loop of two folders fails --check" test $? = 1
check "... and is named" grep -q '^loop a <-> b' "$T/two.out"
plant three a b; plant three b c; plant three c a
$GRAPH --check "$T/three" >"$T/three.out"
check "a loop of three folders fails --check" test $? = 1
check "... and its folders are named" grep -q '^on a longer cycle: a b c' "$T/three.out"
plant dag a b; plant dag b c; mkdir -p "$T/dag/c"
$GRAPH --check "$T/dag" >"$T/dag.out"
check "a tree without loops passes" test $? = 0
check "... drawn as floors" grep -q '^floor 2: a' "$T/dag.out"
