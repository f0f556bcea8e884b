/* DNS messages: query parsing and response assembly (to be written). */
#ifndef DZ_DNSMSG_H
#define DZ_DNSMSG_H
#include "proto/wire.h"
#endif
