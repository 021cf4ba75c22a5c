// What every native test client shares: reporting to the test that started it, checking return codes, naming a
// set, and serving a device of a BACKUP (Write commands into a file) or a RESTORE (Read commands from a file).
//
// The clients speak to the test in lines on standard output: "created <set> <device>..." once the set exists (the
// test then sends the statement), "done ..." at the end, "FAIL ..." before exiting with status 1.
#ifndef OPENVDI_TESTS_CLIENT_SUPPORT_H
#define OPENVDI_TESTS_CLIENT_SUPPORT_H

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "vdi.h"

// The name of a VDI result, for messages.
inline const char* result_name(int result)
{
    switch (result)
    {
        case NOERROR: return "NOERROR";
        case VD_E_NOTOPEN: return "VD_E_NOTOPEN";
        case VD_E_TIMEOUT: return "VD_E_TIMEOUT";
        case VD_E_ABORT: return "VD_E_ABORT";
        case VD_E_SECURITY: return "VD_E_SECURITY";
        case VD_E_INVALID: return "VD_E_INVALID";
        case VD_E_INSTANCE_NAME: return "VD_E_INSTANCE_NAME";
        case VD_E_NOTSUPPORTED: return "VD_E_NOTSUPPORTED";
        case VD_E_MEMORY: return "VD_E_MEMORY";
        case VD_E_UNEXPECTED: return "VD_E_UNEXPECTED";
        case VD_E_PROTOCOL: return "VD_E_PROTOCOL";
        case VD_E_OPEN: return "VD_E_OPEN";
        case VD_E_CLOSE: return "VD_E_CLOSE";
        case VD_E_BUSY: return "VD_E_BUSY";
        default: return "an unknown code";
    }
}

// One line to the test, flushed at once (the test waits for some of them).
inline void say(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

// Ends the process with status 1 after saying why. _exit, not exit: other threads may be inside the library, and
// nothing of the process should run after a failure (the set's server notices the dead client and aborts).
[[noreturn]] inline void fail(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    printf("FAIL ");
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
    _exit(1);
}

// Fails unless a call returned what the documentation says it must.
inline void expect(const char* call, int actual, int expected)
{
    if (actual != expected)
    {
        fail("%s returned %s (0x%08X), expected %s (0x%08X)", call, result_name(actual), (unsigned)actual,
             result_name(expected), (unsigned)expected);
    }
}

// A set name no other test uses: a random UUID, as the Linux sample makes with uuid_unparse.
inline std::string random_set_name()
{
    unsigned char bytes[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes)
    {
        fail("cannot read /dev/urandom: %s", strerror(errno));
    }

    close(fd);
    char text[37];
    snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
             bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
}

// The names of a set's devices: the first is the set's own name, as the statement's first VIRTUAL_DEVICE must be.
inline std::vector<std::string> device_names(const std::string& set, int count)
{
    std::vector<std::string> names{set};
    for (int i = 1; i < count; i++)
    {
        names.push_back(set + "." + std::to_string(i));
    }

    return names;
}

// Tells the test the set exists and which devices to name in its statement.
inline void announce(const std::vector<std::string>& devices)
{
    std::string line = "created";
    for (const auto& name : devices)
    {
        line += " " + name;
    }

    say("%s", line.c_str());
}

// GetConfiguration in the documented pattern: short waits, while the statement is on its way to the server.
inline void wait_for_configuration(ClientVirtualDeviceSet* set, VDConfig* config)
{
    for (int attempt = 0; attempt < 120; attempt++)
    {
        int result = set->GetConfiguration(1000, config);
        if (result != VD_E_TIMEOUT)
        {
            expect("GetConfiguration", result, NOERROR);
            return;
        }
    }

    fail("GetConfiguration: the server did not configure the set within 120 s");
}

// Opens a stripe file: written by a backup (created, truncated), read by a restore.
inline int open_stripe(const char* path, bool backup)
{
    int fd = backup ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        fail("cannot open %s: %s", path, strerror(errno));
    }

    return fd;
}

// Writes all of data; false on an error (errno tells which).
inline bool write_all(int fd, const uint8_t* data, size_t length)
{
    while (length > 0)
    {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }

        if (n <= 0)
        {
            return false;
        }

        data += n;
        length -= (size_t)n;
    }

    return true;
}

// Reads up to length bytes, fewer only at the end of the file; -1 on an error.
inline ssize_t read_full(int fd, uint8_t* data, size_t length)
{
    size_t total = 0;
    while (total < length)
    {
        ssize_t n = read(fd, data + total, length - total);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }

        if (n < 0)
        {
            return -1;
        }

        if (n == 0)
        {
            break;
        }

        total += (size_t)n;
    }

    return (ssize_t)total;
}

// What a pipe-like client does with one command: a Write goes into the file, a Read comes from it (short at the end,
// with ERROR_HANDLE_EOF), a Flush makes the file durable; ClearError and Complete succeed; anything else is not
// supported. Returns the completion code and sets the bytes moved.
inline int execute_command(const VDC_Command* command, uint8_t* buffer, int fd, unsigned long* moved)
{
    *moved = 0;
    switch (command->commandCode)
    {
        case VDC_Write:
            if (!write_all(fd, buffer, (size_t)command->size))
            {
                return ERROR_DISK_FULL;
            }

            *moved = (unsigned long)command->size;
            return ERROR_SUCCESS;
        case VDC_Read:
        {
            ssize_t n = read_full(fd, buffer, (size_t)command->size);
            if (n < 0)
            {
                return ERROR_HANDLE_EOF;
            }

            *moved = (unsigned long)n;
            return n < command->size ? ERROR_HANDLE_EOF : ERROR_SUCCESS;
        }
        case VDC_Flush:
            return fsync(fd) == 0 || errno == EINVAL ? ERROR_SUCCESS : ERROR_DISK_FULL;
        case VDC_ClearError:
        case VDC_Complete:
            return ERROR_SUCCESS;
        default:
            return ERROR_NOT_SUPPORTED;
    }
}

// Whether address lies in a shared file mapping under /dev/shm (POSIX shared memory), per /proc/self/maps: a command's
// buffer must be the shared memory the server filled, not a copy of it in the client's heap.
inline bool is_in_shared_memory(const void* address)
{
    FILE* maps = fopen("/proc/self/maps", "r");
    if (maps == nullptr)
    {
        fail("cannot read /proc/self/maps: %s", strerror(errno));
    }

    bool found = false;
    char line[4096];
    uintptr_t target = reinterpret_cast<uintptr_t>(address);
    while (!found && fgets(line, sizeof line, maps) != nullptr)
    {
        unsigned long start = 0, end = 0;
        char permissions[8] = {};
        char path[2048] = {};
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %2047s", &start, &end, permissions, path) >= 3)
        {
            found = target >= start && target < end && permissions[3] == 's' && strncmp(path, "/dev/shm/", 9) == 0;
        }
    }

    fclose(maps);
    return found;
}

// Serves one device until the server closes it (VD_E_CLOSE); returns the data bytes moved.
inline unsigned long long serve_device(ClientVirtualDevice* device, int fd, const char* name)
{
    unsigned long long total = 0;
    for (;;)
    {
        VDC_Command* command = nullptr;

        // A negative timeout waits forever (the Linux header's rule); the test bounds the whole run instead.
        int result = device->GetCommand(-1, &command);
        if (result == VD_E_CLOSE)
        {
            return total;
        }

        std::string call = std::string("GetCommand on ") + name;
        expect(call.c_str(), result, NOERROR);
        unsigned long moved = 0;
        int code = execute_command(command, command->buffer, fd, &moved);
        total += moved;
        call = std::string("CompleteCommand on ") + name;
        expect(call.c_str(), device->CompleteCommand(command, code, moved, 0), NOERROR);
    }
}

#endif // OPENVDI_TESTS_CLIENT_SUPPORT_H
