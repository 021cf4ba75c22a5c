// A client that misuses the API in every way the drop-in promises to survive (docs/sqlvdi.md, "Misuse"), and still
// backs up or restores a database through a two-device set in between. Every misuse must answer its documented code
// and leave the process running; each case passed is reported as "ok <case>", so the test can see that none was
// skipped.
//
//   misuse_client B|R <directory>
//
// Device i writes (B) or reads (R) <directory>/stripe-<i>.bak.
#include <new>
#include <thread>

#include <sys/mman.h>

#include "client_support.h"

namespace
{

// Pointers the compiler cannot see through: calling a member through null is undefined in C++, so the null comes
// from memory the optimiser must read.
ClientVirtualDeviceSet* volatile g_null_set = nullptr;
ClientVirtualDevice* volatile g_null_device = nullptr;

void* unmapped_page()
{
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
    {
        fail("mmap: %s", strerror(errno));
    }

    munmap(page, 4096);
    return page;
}

// Every member of an object that is no live set answers VD_E_INVALID, and leaves its out-parameters cleared.
void expect_not_a_set(ClientVirtualDeviceSet* set, const char* what)
{
    std::string prefix = std::string(what) + ": ";
    char name[] = "misuse-never-created";
    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = 1;
    ClientVirtualDevice* device = reinterpret_cast<ClientVirtualDevice*>(1);
    uint8_t* buffer = nullptr;
    unsigned int handle = 0;
    uint8_t local = 0;

    expect((prefix + "Create").c_str(), set->Create(name, &config), VD_E_INVALID);
    expect((prefix + "GetConfiguration").c_str(), set->GetConfiguration(0, &config), VD_E_INVALID);
    expect((prefix + "OpenDevice").c_str(), set->OpenDevice(name, &device), VD_E_INVALID);
    expect((prefix + "Close").c_str(), set->Close(), VD_E_INVALID);
    expect((prefix + "SignalAbort").c_str(), set->SignalAbort(), VD_E_INVALID);
    expect((prefix + "OpenInSecondary").c_str(), set->OpenInSecondary(name), VD_E_INVALID);
    expect((prefix + "GetBufferHandle").c_str(), set->GetBufferHandle(&local, &handle), VD_E_INVALID);
    expect((prefix + "MapBufferHandle").c_str(), set->MapBufferHandle(1, &buffer), VD_E_INVALID);
    set->RegisterDeviceClosed();
}

// Both members of an object that is no device of the library answer VD_E_INVALID.
void expect_not_a_device(ClientVirtualDevice* device, VDC_Command* command, const char* what)
{
    std::string prefix = std::string(what) + ": ";
    VDC_Command* fetched = reinterpret_cast<VDC_Command*>(1);
    expect((prefix + "GetCommand").c_str(), device->GetCommand(0, &fetched), VD_E_INVALID);
    expect((prefix + "CompleteCommand").c_str(), device->CompleteCommand(command, ERROR_SUCCESS, 0, 0), VD_E_INVALID);
}

// An object that is a live set, not yet created: its members answer by the state machine, not VD_E_INVALID.
void expect_live_set(ClientVirtualDeviceSet* set, const char* what)
{
    VDConfig config;
    std::string call = std::string(what) + ": GetConfiguration";
    expect(call.c_str(), set->GetConfiguration(0, &config), VD_E_PROTOCOL);
    call = std::string(what) + ": Close";
    expect(call.c_str(), set->Close(), VD_E_PROTOCOL);
}

void misuse_objects()
{
    // Zeroed: storage that no constructor ran on.
    alignas(8) unsigned char zeroed[sizeof(ClientVirtualDeviceSet)] = {};
    auto* zero = reinterpret_cast<ClientVirtualDeviceSet*>(zeroed);
    expect_not_a_set(zero, "zeroed set");
    zero->~ClientVirtualDeviceSet();
    say("ok zeroed-object");

    // Null: this == nullptr, and null device objects.
    expect_not_a_set(g_null_set, "null set");
    g_null_set->~ClientVirtualDeviceSet();
    VDC_Command junk_command = {};
    expect_not_a_device(g_null_device, &junk_command, "null device");
    say("ok null-object");

    // Unmapped: a pointer to memory that maps nothing.
    expect_not_a_set(static_cast<ClientVirtualDeviceSet*>(unmapped_page()), "unmapped set");
    expect_not_a_device(static_cast<ClientVirtualDevice*>(unmapped_page()), &junk_command, "unmapped device");
    say("ok unmapped-object");

    // Foreign: heap memory holding something else.
    auto* junk = new uint64_t[4]{0x0123456789ABCDEFull, 0xFFFFFFFFFFFFFFFFull, 1, 2};
    expect_not_a_set(reinterpret_cast<ClientVirtualDeviceSet*>(junk), "foreign set");
    expect_not_a_device(reinterpret_cast<ClientVirtualDevice*>(junk), &junk_command, "foreign device");
    delete[] junk;
    say("ok foreign-object");

    // Destroyed: the destructor ran; destroying it again does nothing.
    auto* destroyed = static_cast<ClientVirtualDeviceSet*>(::operator new(sizeof(ClientVirtualDeviceSet)));
    new (destroyed) ClientVirtualDeviceSet();
    expect_live_set(destroyed, "set before its destruction");
    destroyed->~ClientVirtualDeviceSet();
    expect_not_a_set(destroyed, "destroyed set");
    destroyed->~ClientVirtualDeviceSet();
    ::operator delete(destroyed);
    say("ok destroyed-object");

    // Copied: a byte-for-byte copy is not the object; destroying the copy leaves the original alive.
    {
        ClientVirtualDeviceSet original;
        alignas(8) unsigned char copied[sizeof original];
        memcpy(copied, static_cast<void*>(&original), sizeof original);
        auto* copy = reinterpret_cast<ClientVirtualDeviceSet*>(copied);
        expect_not_a_set(copy, "copied set");
        copy->~ClientVirtualDeviceSet();
        {
            ClientVirtualDeviceSet implicit_copy(original);   // C++'s own copy: the same bytes elsewhere
            expect_not_a_set(&implicit_copy, "copy-constructed set");
        }

        expect_live_set(&original, "original of destroyed copies");
    }
    say("ok copied-object");

    // Stale: an object's old bytes after it was destroyed and its table entry reused by another object.
    {
        alignas(8) unsigned char storage[sizeof(ClientVirtualDeviceSet)];
        auto* first = new (storage) ClientVirtualDeviceSet();
        alignas(8) unsigned char old_bytes[sizeof storage];
        memcpy(old_bytes, storage, sizeof storage);
        first->~ClientVirtualDeviceSet();
        ClientVirtualDeviceSet second;                  // takes the entry the first one freed
        memcpy(storage, old_bytes, sizeof storage);     // the first object's bytes, put back
        expect_not_a_set(reinterpret_cast<ClientVirtualDeviceSet*>(storage), "stale set");
        reinterpret_cast<ClientVirtualDeviceSet*>(storage)->~ClientVirtualDeviceSet();   // destroys nothing
        expect_live_set(&second, "set that reused the entry");
    }
    say("ok stale-object");

    // Overwritten: a live object whose bytes the client cleared. It answers as no set; its destructor still ends it,
    // closing the set it had created (whose shared memory the test then finds gone).
    {
        auto* overwritten = new ClientVirtualDeviceSet();
        VDConfig config;
        memset(&config, 0, sizeof config);
        config.deviceCount = 1;
        std::string name = "misuse-overwritten-" + random_set_name();
        expect("Create before the bytes are cleared", overwritten->Create(const_cast<char*>(name.c_str()), &config), NOERROR);
        memset(static_cast<void*>(overwritten), 0, sizeof *overwritten);
        expect_not_a_set(overwritten, "overwritten set");
        delete overwritten;
        say("abandoned %s", name.c_str());
    }
    say("ok overwritten-object");

    // Constructed twice without a destructor in between: the second construction is the object.
    {
        alignas(8) unsigned char storage[sizeof(ClientVirtualDeviceSet)];
        new (storage) ClientVirtualDeviceSet();
        auto* twice = new (storage) ClientVirtualDeviceSet();
        expect_live_set(twice, "set constructed twice");
        twice->~ClientVirtualDeviceSet();
    }
    say("ok constructed-twice");

    // A class of the client's own derived from the set: base-object constructor and destructor (C2, D2).
    {
        struct OwnSet : ClientVirtualDeviceSet
        {
            int extra = 7;
        };

        OwnSet own;
        expect_live_set(&own, "derived set");
    }
    say("ok derived-object");

    // A device object the client constructed itself is no device of any set.
    {
        ClientVirtualDevice mine;
        expect_not_a_device(&mine, &junk_command, "client-constructed device");
    }
    say("ok client-constructed-device");
}

void misuse_arguments()
{
    ClientVirtualDeviceSet vds;
    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = 1;
    char good[] = "misuse-arguments";
    char bad_utf8[] = "misuse-\xff\xfe";
    std::string too_long(2000, 'x');

    expect("Create with a null name", vds.Create(nullptr, &config), VD_E_INVALID);
    expect("Create with a null configuration", vds.Create(good, nullptr), VD_E_INVALID);
    expect("Create with a name that is not UTF-8", vds.Create(bad_utf8, &config), VD_E_INVALID);
    expect("Create with a 2000-byte name", vds.Create(const_cast<char*>(too_long.c_str()), &config), VD_E_INVALID);
    expect("OpenInSecondary with a null name", vds.OpenInSecondary(nullptr), VD_E_INVALID);
    expect("GetConfiguration with a null configuration", vds.GetConfiguration(0, nullptr), VD_E_INVALID);
    ClientVirtualDevice* device = nullptr;
    expect("OpenDevice with a null name", vds.OpenDevice(nullptr, &device), VD_E_INVALID);
    expect("OpenDevice with a null out-pointer", vds.OpenDevice(good, nullptr), VD_E_INVALID);
    expect("GetBufferHandle with a null out-pointer", vds.GetBufferHandle(nullptr, nullptr), VD_E_INVALID);
    expect("MapBufferHandle with a null out-pointer", vds.MapBufferHandle(1, nullptr), VD_E_INVALID);
    expect_live_set(&vds, "set after bad arguments");
    say("ok bad-arguments");

    // A set nobody sends a statement for, destroyed while created: its shared memory goes with it.
    auto* abandoned = new ClientVirtualDeviceSet();
    std::string name = "misuse-abandoned-" + random_set_name();
    expect("Create of a set that is destroyed unclosed", abandoned->Create(const_cast<char*>(name.c_str()), &config), NOERROR);
    expect("Create of a second set on the same object", abandoned->Create(const_cast<char*>(name.c_str()), &config), VD_E_PROTOCOL);
    delete abandoned;
    say("abandoned %s", name.c_str());
    say("ok destroyed-while-created");
}

struct Run
{
    ClientVirtualDeviceSet vds;
    std::vector<std::string> names;
    std::vector<ClientVirtualDevice*> devices;
    int fds[2];
};

// Device 0: the misuse of commands, in the middle of the real transfer.
void serve_with_misuse(Run* run)
{
    ClientVirtualDevice* device = run->devices[0];
    ClientVirtualDevice* other = run->devices[1];
    expect("GetCommand with a null out-pointer", device->GetCommand(-1, nullptr), VD_E_INVALID);
    say("ok get-command-null");

    bool misused = false;
    VDC_Command* last = nullptr;
    for (;;)
    {
        VDC_Command* command = nullptr;

        // Any negative timeout waits forever.
        int result = device->GetCommand(-7, &command);
        if (result == VD_E_CLOSE)
        {
            break;
        }

        expect("GetCommand", result, NOERROR);
        unsigned long moved = 0;
        int code = execute_command(command, command->buffer, run->fds[0], &moved);
        if (!misused && (command->commandCode == VDC_Write || command->commandCode == VDC_Read))
        {
            VDC_Command copy = *command;
            expect("CompleteCommand of a copy of the command", device->CompleteCommand(&copy, code, moved, 0), VD_E_INVALID);
            expect("CompleteCommand of null", device->CompleteCommand(nullptr, code, moved, 0), VD_E_INVALID);
            expect("CompleteCommand of a pointer inside the command",
                   device->CompleteCommand(reinterpret_cast<VDC_Command*>(reinterpret_cast<char*>(command) + 4), code, moved, 0), VD_E_INVALID);
            expect("CompleteCommand on another device", other->CompleteCommand(command, code, moved, 0), VD_E_INVALID);
            expect("CompleteCommand with more bytes than the command has",
                   device->CompleteCommand(command, code, (unsigned long)command->size + 1, 0), VD_E_INVALID);
            expect("CompleteCommand with a byte count beyond 32 bits", device->CompleteCommand(command, code, 1ul << 40, 0), VD_E_INVALID);
            expect("CompleteCommand", device->CompleteCommand(command, code, moved, 0), NOERROR);
            expect("CompleteCommand of the same command again", device->CompleteCommand(command, code, moved, 0), VD_E_INVALID);
            misused = true;
            say("ok command-misuse");
            continue;
        }

        expect("CompleteCommand", device->CompleteCommand(command, code, moved, 0), NOERROR);
        last = command;
    }

    if (!misused)
    {
        fail("device 0 saw no data command to misuse");
    }

    // Ended: GetCommand keeps answering VD_E_CLOSE; a completed command now answers VD_E_PROTOCOL.
    VDC_Command* command = nullptr;
    expect("GetCommand after VD_E_CLOSE", device->GetCommand(0, &command), VD_E_CLOSE);
    expect("CompleteCommand after the device ended", device->CompleteCommand(last, ERROR_SUCCESS, 0, 0), VD_E_PROTOCOL);
    say("ok after-device-end");
}

void transfer_with_misuse(bool backup, const char* directory)
{
    Run run;
    run.names = device_names(random_set_name(), 2);
    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = 2;
    expect("Create", run.vds.Create(const_cast<char*>(run.names[0].c_str()), &config), NOERROR);
    ClientVirtualDevice* early = nullptr;
    expect("OpenDevice before the configuration", run.vds.OpenDevice(const_cast<char*>(run.names[0].c_str()), &early), VD_E_PROTOCOL);
    if (early != nullptr)
    {
        fail("OpenDevice left a device behind on failure");
    }

    announce(run.names);

    // A negative timeout waits for the server however long it takes: it must not poll.
    expect("GetConfiguration with a negative timeout", run.vds.GetConfiguration(-1, &config), NOERROR);
    say("ok negative-timeout");

    char unknown[] = "no-such-device";
    ClientVirtualDevice* device = reinterpret_cast<ClientVirtualDevice*>(1);
    expect("OpenDevice of a name not in the set", run.vds.OpenDevice(unknown, &device), VD_E_INVALID);
    if (device != nullptr)
    {
        fail("OpenDevice left a device behind on failure");
    }

    for (int i = 0; i < 2; i++)
    {
        ClientVirtualDevice* opened = nullptr;
        expect("OpenDevice", run.vds.OpenDevice(const_cast<char*>(run.names[(size_t)i].c_str()), &opened), NOERROR);
        run.devices.push_back(opened);
        std::string path = std::string(directory) + "/stripe-" + std::to_string(i) + ".bak";
        run.fds[i] = open_stripe(path.c_str(), backup);
    }

    expect("OpenDevice once every device is open", run.vds.OpenDevice(const_cast<char*>(run.names[0].c_str()), &device), VD_E_OPEN);

    // A device object used as a set, and a set object used as a device.
    expect_not_a_set(reinterpret_cast<ClientVirtualDeviceSet*>(run.devices[0]), "device used as a set");
    VDC_Command junk_command = {};
    expect_not_a_device(reinterpret_cast<ClientVirtualDevice*>(&run.vds), &junk_command, "set used as a device");
    say("ok crossed-objects");

    std::thread second([&run] { serve_device(run.devices[1], run.fds[1], run.names[1].c_str()); });
    serve_with_misuse(&run);
    second.join();
    close(run.fds[0]);
    close(run.fds[1]);

    expect("Close", run.vds.Close(), NOERROR);

    // Closed: the device objects answer VD_E_PROTOCOL; the set answers by its state.
    VDC_Command* command = nullptr;
    expect("GetCommand after Close", run.devices[0]->GetCommand(0, &command), VD_E_PROTOCOL);
    expect("CompleteCommand after Close", run.devices[0]->CompleteCommand(&junk_command, ERROR_SUCCESS, 0, 0), VD_E_PROTOCOL);
    expect("Close again", run.vds.Close(), VD_E_PROTOCOL);
    expect("SignalAbort after Close", run.vds.SignalAbort(), VD_E_PROTOCOL);
    say("ok after-close");

    // The client may delete the devices; a deleted device answers VD_E_INVALID through a dangling pointer.
    ClientVirtualDevice* deleted = run.devices[1];
    delete run.devices[0];
    delete run.devices[1];
    expect_not_a_device(deleted, &junk_command, "deleted device");
    say("ok deleted-device");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3 || (argv[1][0] != 'B' && argv[1][0] != 'R'))
    {
        fail("usage: misuse_client B|R <directory>");
    }

    misuse_objects();
    misuse_arguments();
    transfer_with_misuse(argv[1][0] == 'B', argv[2]);
    say("done");
    return 0;
}
