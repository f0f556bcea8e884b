/* tinydns data lines and CDB records: see tinydns.h (to be written). */
