/* libFuzzer harness for what hotline reads from Redis: a broadcast message
 * from the channel (bcast_wire.c: header, HMAC, then a client's checks) and
 * a redis_url (redis_target.c, and its redaction for the log). Built by
 * `make check` with tests/fuzz/driver.c (docs/fuzzing.md).
 *
 * The input's first byte picks the target: bit 0 set, a redis_url; else a
 * message, checked with a secret when bit 1 is set. The rest is the
 * input. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bcast/bcast_wire.h"
#include "core/config.h"
#include "core/redis_target.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_url(const char *p, size_t len)
{
	char url[1024], out[1100], err[256];
	struct redis_target t;

	if (len >= sizeof url)
		return;
	memcpy(url, p, len);
	url[len] = '\0';
	config_redact_url(url, out, sizeof out);
	if (redis_target_parse(url, NULL, &t, err, sizeof err) == 0 &&
	    (t.ip[0] == '\0' || t.port < 1 || t.port > 65535 || t.db < 0))
		abort();
}

static void
fuzz_message(const char *p, size_t len, int with_secret)
{
	static const struct bwire_limits lim = { 4096, 128, 0 };
	static int keyed = -1;
	struct bwire_msg m;
	char err[128];

	if (keyed != with_secret) {
		if (bwire_set_secret(with_secret ?
		    "fuzz-secret-0123456789abcdef012345" : "",
		    with_secret ? 34 : 0, err, sizeof err) == -1)
			abort();
		keyed = with_secret;
	}
	if (bwire_parse(p, len, &m) != BWIRE_OK)
		return;
	if (m.instance < p || m.envelope + m.elen != p + len ||
	    m.topic + m.tlen >= m.envelope)
		abort();
	if (bwire_check(&m, &lim) == BWIRE_OK &&
	    (m.elen > lim.max_bytes || m.tlen == 0 || m.tlen > lim.max_topic))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_url((const char *)data + 1, size - 1);
	else
		fuzz_message((const char *)data + 1, size - 1,
		    (data[0] & 2) != 0);
	return 0;
}
