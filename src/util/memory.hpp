// SPDX-License-Identifier: Apache-2.0
// Handing memory the allocator holds free back to the operating system.
#pragma once

namespace pindeck::util {

// Returns to the OS the free memory the heap keeps in every allocator arena, so a process that
// freed a burst's memory stops counting it as resident. With glibc this is malloc_trim(0), which
// also releases free pages in the middle of an arena (glibc otherwise only shrinks an arena from
// its top, and each thread that allocated has an arena of its own). Takes milliseconds; for when
// the process is idle. Returns false where the allocator offers no such call.
bool release_free_heap_memory();

}  // namespace pindeck::util
