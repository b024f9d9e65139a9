/*
 * hotline's public API for handler modules. Include this one header;
 * `pkg-config --cflags hotline` finds it.
 */
#ifndef HOTLINE_HOTLINE_H
#define HOTLINE_HOTLINE_H

#include <hotline/version.h>
#include <hotline/module.h>

#endif
