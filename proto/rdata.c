#include "proto/rdata.h"
