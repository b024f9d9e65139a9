/*
 * A module that calls one of hotlined's internal functions (log_info) as
 * if it were API. hotlined exports only the hl_ API (src/hotlined.dynlist),
 * so loading this module must fail with the undefined symbol named;
 * t_module.sh checks that it does.
 */
#include <hotline/module.h>

void	log_info(const char *fmt, ...);

static int
internal_load(void)
{
	log_info("a module reaching into the daemon");
	return 0;
}

const struct hl_module hl_module_info = {
	.abi = HL_MODULE_ABI,
	.name = "internal",
	.load = internal_load,
};
