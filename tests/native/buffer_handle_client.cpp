// Two processes serving one set by buffer handles. The primary creates the set, fetches every command, and for each
// Read or Write turns its buffer into a handle (GetBufferHandle) that it sends to a secondary process; the secondary
// attaches to the set (OpenInSecondary), maps the handle (MapBufferHandle) and fills the Read's buffer from the stripe
// file or stores the Write's buffer into it, in place; the primary then completes the command. Along the way both
// processes check every return code of the two calls' documented tables: NOERROR, VD_E_PROTOCOL (the set is not
// open), VD_E_INVALID (not a buffer of a command in flight, not a live handle).
//
//   buffer_handle_client primary B|R <stripe-file>
//   buffer_handle_client secondary <set> B|R <stripe-file>    (started by the primary; requests on stdin)
//
// Requests to the secondary, one a line: "W <handle> <size>", "R <handle> <size>", "F" (flush), "S <handle>" (the
// handle's command completed: it must no longer map), "Q" (close and exit). It answers "ok <bytes> <code>" or
// "FAIL <why>".
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "client_support.h"

extern char** environ;

namespace
{

// A code the call's documented table names, checked in the process that made the call.
void expect_code(const char* call, int actual, int expected, const char* side)
{
    std::string what = std::string(side) + ": " + call;
    expect(what.c_str(), actual, expected);
}

// An address that maps nothing in this process: a page mapped, then unmapped.
uint8_t* unmapped_address()
{
    void* page = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
    {
        fail("mmap: %s", strerror(errno));
    }

    munmap(page, 4096);
    return static_cast<uint8_t*>(page);
}

// --- the secondary --------------------------------------------------------------------------------------------

int run_secondary(const char* set_name, bool backup, const char* path)
{
    // Replies go to the primary on stdout; failures too ("FAIL ..."), which the primary reports.
    ClientVirtualDeviceSet vds;
    uint8_t* mapped = nullptr;
    unsigned int handle = 0;
    uint8_t local = 0;

    // Not open yet: VD_E_PROTOCOL from both.
    expect_code("GetBufferHandle before OpenInSecondary", vds.GetBufferHandle(&local, &handle), VD_E_PROTOCOL, "secondary");
    expect_code("MapBufferHandle before OpenInSecondary", vds.MapBufferHandle(1, &mapped), VD_E_PROTOCOL, "secondary");
    if (mapped != nullptr)
    {
        fail("secondary: MapBufferHandle left an address behind on VD_E_PROTOCOL");
    }

    expect_code("OpenInSecondary", vds.OpenInSecondary(const_cast<char*>(set_name)), NOERROR, "secondary");
    expect_code("OpenInSecondary again", vds.OpenInSecondary(const_cast<char*>(set_name)), VD_E_PROTOCOL, "secondary");
    VDConfig config;
    expect_code("GetConfiguration", vds.GetConfiguration(0, &config), NOERROR, "secondary");

    int fd = open_stripe(path, backup);
    say("ready");

    unsigned int last = 0;
    char line[256];
    while (fgets(line, sizeof line, stdin) != nullptr)
    {
        char kind = line[0];
        if (kind == 'W' || kind == 'R')
        {
            unsigned int size = 0;
            if (sscanf(line + 1, "%u %u", &handle, &size) != 2)
            {
                fail("secondary: bad request '%s'", line);
            }

            mapped = nullptr;
            expect_code("MapBufferHandle", vds.MapBufferHandle((int)handle, &mapped), NOERROR, "secondary");
            if (mapped == nullptr)
            {
                fail("secondary: MapBufferHandle returned NOERROR and no address");
            }

            // A handle whose generation bits are flipped names no buffer in flight.
            uint8_t* other = reinterpret_cast<uint8_t*>(1);
            expect_code("MapBufferHandle of a forged handle", vds.MapBufferHandle((int)(handle ^ 0xFFFF0000u), &other), VD_E_INVALID, "secondary");
            if (other != nullptr)
            {
                fail("secondary: MapBufferHandle left an address behind on VD_E_INVALID");
            }

            expect_code("MapBufferHandle with a null out-pointer", vds.MapBufferHandle((int)handle, nullptr), VD_E_INVALID, "secondary");

            // The mapped address is this process's address of a buffer in flight: it has a handle here too, the same.
            unsigned int again = 0;
            expect_code("GetBufferHandle of the mapped address", vds.GetBufferHandle(mapped, &again), NOERROR, "secondary");
            if (again != handle)
            {
                fail("secondary: GetBufferHandle gave %u for the buffer of handle %u", again, handle);
            }

            expect_code("GetBufferHandle of a stack address", vds.GetBufferHandle(&local, &again), VD_E_INVALID, "secondary");

            VDC_Command command = {kind == 'W' ? VDC_Write : VDC_Read, (int32_t)size, 0, mapped};
            unsigned long moved = 0;
            int code = execute_command(&command, mapped, fd, &moved);
            last = handle;
            say("ok %lu %d", moved, code);
        }
        else if (kind == 'F')
        {
            VDC_Command command = {VDC_Flush, 0, 0, nullptr};
            unsigned long moved = 0;
            say("ok 0 %d", execute_command(&command, nullptr, fd, &moved));
        }
        else if (kind == 'S')
        {
            if (sscanf(line + 1, "%u", &handle) != 1)
            {
                fail("secondary: bad request '%s'", line);
            }

            expect_code("MapBufferHandle of a completed command's handle", vds.MapBufferHandle((int)handle, &mapped), VD_E_INVALID, "secondary");
            say("ok 0 0");
        }
        else if (kind == 'Q')
        {
            close(fd);
            expect_code("Close", vds.Close(), NOERROR, "secondary");

            // Closed: VD_E_PROTOCOL again, whatever the arguments.
            expect_code("MapBufferHandle after Close", vds.MapBufferHandle((int)last, &mapped), VD_E_PROTOCOL, "secondary");
            expect_code("GetBufferHandle after Close", vds.GetBufferHandle(&local, &handle), VD_E_PROTOCOL, "secondary");
            say("ok 0 0");
            return 0;
        }
        else
        {
            fail("secondary: bad request '%s'", line);
        }
    }

    fail("secondary: the primary went away without 'Q'");
}

// --- the primary ----------------------------------------------------------------------------------------------

struct Secondary
{
    pid_t pid;
    FILE* requests;
    FILE* replies;

    // Sends one request and returns the reply's completion code and bytes.
    int ask(const char* request, unsigned long* moved)
    {
        fprintf(requests, "%s\n", request);
        fflush(requests);
        char line[512];
        if (fgets(line, sizeof line, replies) == nullptr)
        {
            fail("the secondary exited without answering '%s'", request);
        }

        line[strcspn(line, "\n")] = 0;
        int code = 0;
        if (sscanf(line, "ok %lu %d", moved, &code) != 2)
        {
            fail("the secondary answered '%s' to '%s'", line, request);
        }

        return code;
    }
};

Secondary start_secondary(const char* self, const std::string& set, char mode, const char* path)
{
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
    {
        fail("pipe2: %s", strerror(errno));
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);

    // A new process (spawned, not forked): the library's runtime is already running here and does not survive fork.
    char mode_text[2] = {mode, 0};
    char* args[] = {const_cast<char*>(self), const_cast<char*>("secondary"), const_cast<char*>(set.c_str()), mode_text,
                    const_cast<char*>(path), nullptr};
    Secondary secondary{};
    int error = posix_spawn(&secondary.pid, "/proc/self/exe", &actions, nullptr, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0)
    {
        fail("posix_spawn: %s", strerror(error));
    }

    close(to_child[0]);
    close(from_child[1]);
    secondary.requests = fdopen(to_child[1], "w");
    secondary.replies = fdopen(from_child[0], "r");
    char line[512];
    if (fgets(line, sizeof line, secondary.replies) == nullptr || strncmp(line, "ready", 5) != 0)
    {
        fail("the secondary did not get ready: %s", line);
    }

    return secondary;
}

int run_primary(const char* self, bool backup, const char* path)
{
    ClientVirtualDeviceSet vds;     // on the stack
    uint8_t local = 0;
    unsigned int handle = 0;
    uint8_t* mapped = nullptr;

    // No set: VD_E_PROTOCOL.
    expect_code("GetBufferHandle before Create", vds.GetBufferHandle(&local, &handle), VD_E_PROTOCOL, "primary");
    expect_code("MapBufferHandle before Create", vds.MapBufferHandle(1, &mapped), VD_E_PROTOCOL, "primary");

    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = 1;
    std::string name = random_set_name();
    expect_code("Create", vds.Create(const_cast<char*>(name.c_str()), &config), NOERROR, "primary");

    // Created but not configured by the server: not open for buffers yet.
    expect_code("GetBufferHandle before GetConfiguration", vds.GetBufferHandle(&local, &handle), VD_E_PROTOCOL, "primary");
    expect_code("MapBufferHandle before GetConfiguration", vds.MapBufferHandle(1, &mapped), VD_E_PROTOCOL, "primary");

    announce({name});
    wait_for_configuration(&vds, &config);

    // Open, but these are no buffers of commands in flight.
    expect_code("GetBufferHandle of a stack address", vds.GetBufferHandle(&local, &handle), VD_E_INVALID, "primary");
    expect_code("GetBufferHandle of an unmapped address", vds.GetBufferHandle(unmapped_address(), &handle), VD_E_INVALID, "primary");
    expect_code("GetBufferHandle of null", vds.GetBufferHandle(nullptr, &handle), VD_E_INVALID, "primary");
    expect_code("MapBufferHandle of a made-up handle", vds.MapBufferHandle(0x1234, &mapped), VD_E_INVALID, "primary");

    Secondary secondary = start_secondary(self, name, backup ? 'B' : 'R', path);
    ClientVirtualDevice* device = nullptr;
    expect_code("OpenDevice", vds.OpenDevice(const_cast<char*>(name.c_str()), &device), NOERROR, "primary");

    unsigned long long total = 0;
    unsigned long commands = 0;
    for (;;)
    {
        VDC_Command* command = nullptr;
        int result = device->GetCommand(-1, &command);
        if (result == VD_E_CLOSE)
        {
            break;
        }

        expect_code("GetCommand", result, NOERROR, "primary");
        unsigned long moved = 0;
        int code = ERROR_SUCCESS;
        char request[128];
        if (command->commandCode == VDC_Read || command->commandCode == VDC_Write)
        {
            expect_code("GetBufferHandle", vds.GetBufferHandle(command->buffer, &handle), NOERROR, "primary");
            expect_code("GetBufferHandle inside the buffer", vds.GetBufferHandle(command->buffer + 8, &handle), VD_E_INVALID, "primary");
            expect_code("GetBufferHandle again", vds.GetBufferHandle(command->buffer, &handle), NOERROR, "primary");
            expect_code("GetBufferHandle with a null out-pointer", vds.GetBufferHandle(command->buffer, nullptr), VD_E_INVALID, "primary");

            // A handle maps in the process that took it too, to the same address.
            expect_code("MapBufferHandle in the primary", vds.MapBufferHandle((int)handle, &mapped), NOERROR, "primary");
            if (mapped != command->buffer)
            {
                fail("primary: MapBufferHandle gave %p for the buffer at %p", (void*)mapped, (void*)command->buffer);
            }

            snprintf(request, sizeof request, "%c %u %d", command->commandCode == VDC_Write ? 'W' : 'R', handle, command->size);
            code = secondary.ask(request, &moved);
        }
        else if (command->commandCode == VDC_Flush)
        {
            expect_code("GetBufferHandle of a Flush's buffer", vds.GetBufferHandle(command->buffer, &handle), VD_E_INVALID, "primary");
            code = secondary.ask("F", &moved);
        }
        else
        {
            code = execute_command(command, command->buffer, -1, &moved);
        }

        uint8_t* buffer = command->buffer;
        int kind = command->commandCode;

        // The process that took the handle completes the command.
        expect_code("CompleteCommand", device->CompleteCommand(command, code, moved, 0), NOERROR, "primary");
        total += moved;
        commands++;
        if (kind == VDC_Read || kind == VDC_Write)
        {
            expect_code("GetBufferHandle of a completed command's buffer", vds.GetBufferHandle(buffer, &handle), VD_E_INVALID, "primary");
            snprintf(request, sizeof request, "S %u", handle);
            secondary.ask(request, &moved);
        }
    }

    unsigned long ignored = 0;
    secondary.ask("Q", &ignored);
    int status = 0;
    if (waitpid(secondary.pid, &status, 0) != secondary.pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    {
        fail("the secondary ended with status %d", status);
    }

    expect_code("Close", vds.Close(), NOERROR, "primary");
    expect_code("GetBufferHandle after Close", vds.GetBufferHandle(&local, &handle), VD_E_PROTOCOL, "primary");
    expect_code("MapBufferHandle after Close", vds.MapBufferHandle(1, &mapped), VD_E_PROTOCOL, "primary");
    say("done bytes=%llu commands=%lu", total, commands);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && strcmp(argv[1], "primary") == 0 && (argv[2][0] == 'B' || argv[2][0] == 'R'))
    {
        return run_primary(argv[0], argv[2][0] == 'B', argv[3]);
    }

    if (argc == 5 && strcmp(argv[1], "secondary") == 0 && (argv[3][0] == 'B' || argv[3][0] == 'R'))
    {
        return run_secondary(argv[2], argv[3][0] == 'B', argv[4]);
    }

    fail("usage: buffer_handle_client primary B|R <stripe-file> | secondary <set> B|R <stripe-file>");
}
