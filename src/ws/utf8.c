/* Incremental UTF-8 validation: a byte-class DFA in the manner of Bjoern
 * Hoehrmann's decoder, with our own tables written from RFC 3629 Table 3-7
 * (the well-formed byte sequences), plus an ASCII fast path. */
#include "autoconf.h"

#include <string.h>

#include "ws/utf8.h"

/* Byte classes: which bytes may follow in which state. */
enum utf8_class {
	C_ASCII,	/* 00-7F */
	C_CONT_LO,	/* 80-8F */
	C_CONT_MID,	/* 90-9F */
	C_CONT_HI,	/* A0-BF */
	C_BAD,		/* C0-C1, F5-FF: never valid */
	C_LEAD2,	/* C2-DF */
	C_E0,		/* E0: second byte A0-BF (else overlong) */
	C_LEAD3,	/* E1-EC, EE-EF */
	C_ED,		/* ED: second byte 80-9F (else a surrogate) */
	C_F0,		/* F0: second byte 90-BF (else overlong) */
	C_LEAD4,	/* F1-F3 */
	C_F4,		/* F4: second byte 80-8F (else above U+10FFFF) */
	C_COUNT
};

/* States beyond ACCEPT and REJECT: what the next byte must be. */
enum utf8_state {
	S_ACCEPT = UTF8_ACCEPT,
	S_REJECT = UTF8_REJECT,
	S_NEED1,	/* one more continuation byte */
	S_NEED2,	/* two more */
	S_NEED3,	/* three more */
	S_E0,		/* A0-BF, then one more */
	S_ED,		/* 80-9F, then one more */
	S_F0,		/* 90-BF, then two more */
	S_F4,		/* 80-8F, then two more */
	S_COUNT
};

static const uint8_t utf8_class[256] = {
	[0x00 ... 0x7f] = C_ASCII,
	[0x80 ... 0x8f] = C_CONT_LO,
	[0x90 ... 0x9f] = C_CONT_MID,
	[0xa0 ... 0xbf] = C_CONT_HI,
	[0xc0 ... 0xc1] = C_BAD,
	[0xc2 ... 0xdf] = C_LEAD2,
	[0xe0] = C_E0,
	[0xe1 ... 0xec] = C_LEAD3,
	[0xed] = C_ED,
	[0xee ... 0xef] = C_LEAD3,
	[0xf0] = C_F0,
	[0xf1 ... 0xf3] = C_LEAD4,
	[0xf4] = C_F4,
	[0xf5 ... 0xff] = C_BAD,
};

/* Rows are states, columns byte classes in enum utf8_class order. */
#define R S_REJECT
static const uint8_t utf8_next[S_COUNT][C_COUNT] = {
	[S_ACCEPT] = { S_ACCEPT, R, R, R, R, S_NEED1, S_E0, S_NEED2, S_ED, S_F0,
	    S_NEED3, S_F4 },
	[S_REJECT] = { R, R, R, R, R, R, R, R, R, R, R, R },
	[S_NEED1] = { R, S_ACCEPT, S_ACCEPT, S_ACCEPT, R, R, R, R, R, R, R, R },
	[S_NEED2] = { R, S_NEED1, S_NEED1, S_NEED1, R, R, R, R, R, R, R, R },
	[S_NEED3] = { R, S_NEED2, S_NEED2, S_NEED2, R, R, R, R, R, R, R, R },
	[S_E0] = { R, R, R, S_NEED1, R, R, R, R, R, R, R, R },
	[S_ED] = { R, S_NEED1, S_NEED1, R, R, R, R, R, R, R, R, R },
	[S_F0] = { R, R, S_NEED2, S_NEED2, R, R, R, R, R, R, R, R },
	[S_F4] = { R, S_NEED2, R, R, R, R, R, R, R, R, R, R },
};
#undef R

/* Skip the run of ASCII at p, 8 bytes at a time; returns its length. */
static size_t
utf8_ascii_run(const uint8_t *p, size_t len)
{
	size_t i = 0;
	uint64_t word;

	/* memcpy keeps unaligned loads defined; compilers emit one mov. */
	for (; i + 8 <= len; i += 8) {
		memcpy(&word, p + i, 8);
		if (word & 0x8080808080808080ULL)
			break;
	}
	while (i < len && p[i] < 0x80)
		i++;
	return i;
}

uint8_t
utf8_validate(uint8_t state, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (state == S_ACCEPT) {
			i += utf8_ascii_run(p + i, len - i);
			if (i == len)
				break;
		}
		state = utf8_next[state][utf8_class[p[i++]]];
		if (state == S_REJECT)
			break;
	}
	return state;
}
