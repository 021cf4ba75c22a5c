// A striped client: one set of N devices (1 to 64), each served by its own thread, as a multi-threaded backup
// application does. The set is a member of the client's own struct, not allocated with new. It asks for
// VDC_Complete (VDF_RequestComplete), so a backup ends with Flush then Complete on every device.
//
//   striped_client B|R <devices> <directory>
//
// Device i writes (B) or reads (R) <directory>/stripe-<i>.bak.
#include <thread>

#include "client_support.h"

namespace
{

struct StripedRun
{
    ClientVirtualDeviceSet vds;     // a member object: constructed and destroyed with the struct
    VDConfig config;
    std::vector<std::string> names;
    std::vector<unsigned long long> bytes;
};

void serve(StripedRun* run, int index, const char* directory, bool backup)
{
    // Each thread asks for the configuration itself, as the multi-threaded samples do: NOERROR at once by now.
    VDConfig config;
    expect("GetConfiguration on a device thread", run->vds.GetConfiguration(0, &config), NOERROR);
    if (config.deviceCount != run->config.deviceCount || config.maxTransferSize != run->config.maxTransferSize)
    {
        fail("GetConfiguration on device thread %d gave another configuration", index);
    }

    ClientVirtualDevice* device = nullptr;
    const std::string& name = run->names[(size_t)index];
    expect("OpenDevice", run->vds.OpenDevice(const_cast<char*>(name.c_str()), &device), NOERROR);
    std::string path = std::string(directory) + "/stripe-" + std::to_string(index) + ".bak";
    int fd = open_stripe(path.c_str(), backup);
    // The first command is a data command (a backup writes, a restore reads, before anything else): its buffer is
    // the shared memory itself (zero copy). Served, then the rest of the stream.
    VDC_Command* first = nullptr;
    expect("GetCommand", device->GetCommand(-1, &first), NOERROR);
    if ((first->commandCode != VDC_Write && first->commandCode != VDC_Read) || !is_in_shared_memory(first->buffer))
    {
        fail("the first command on %s (code %d) has a buffer at %p, outside the shared memory", name.c_str(),
             first->commandCode, static_cast<void*>(first->buffer));
    }

    unsigned long moved = 0;
    int code = execute_command(first, first->buffer, fd, &moved);
    expect("CompleteCommand", device->CompleteCommand(first, code, moved, 0), NOERROR);
    run->bytes[(size_t)index] = moved + serve_device(device, fd, name.c_str());
    close(fd);
}

} // namespace

int main(int argc, char** argv)
{
    int devices = argc == 4 ? atoi(argv[2]) : 0;
    if (argc != 4 || (argv[1][0] != 'B' && argv[1][0] != 'R') || devices < 1 || devices > 64)
    {
        fail("usage: striped_client B|R <devices 1..64> <directory>");
    }

    bool backup = argv[1][0] == 'B';
    StripedRun run;
    memset(&run.config, 0, sizeof run.config);
    run.config.deviceCount = (uint32_t)devices;
    run.config.features = VDF_RequestComplete;
    run.names = device_names(random_set_name(), devices);
    run.bytes.assign((size_t)devices, 0);

    expect("Create", run.vds.Create(const_cast<char*>(run.names[0].c_str()), &run.config), NOERROR);
    announce(run.names);
    wait_for_configuration(&run.vds, &run.config);
    // The server sends VDC_Complete, as asked, at the end of a backup; a restore has none.
    if (run.config.deviceCount != (uint32_t)devices || ((run.config.features & VDF_CompleteEnabled) == 0) == backup)
    {
        fail("GetConfiguration gave deviceCount %u, features 0x%X", run.config.deviceCount, run.config.features);
    }

    std::vector<std::thread> threads;
    for (int i = 0; i < devices; i++)
    {
        threads.emplace_back(serve, &run, i, argv[3], backup);
    }

    unsigned long long total = 0;
    for (int i = 0; i < devices; i++)
    {
        threads[(size_t)i].join();
        total += run.bytes[(size_t)i];
    }

    expect("Close", run.vds.Close(), NOERROR);
    say("done devices=%d bytes=%llu", devices, total);
    return 0;
}
