#include "proto/dnsmsg.h"
