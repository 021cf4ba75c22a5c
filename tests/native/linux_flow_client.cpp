// The documented Linux flow of a VDI client, one device, as Microsoft's sample runs it: umask(0), a set made with
// new, Create with a zeroed configuration of one device, the statement sent, GetConfiguration, OpenDevice, the
// command loop until VD_E_CLOSE, Close. It never destroys the set or the device, as the sample does not.
//
//   linux_flow_client B|R <stripe-file>
//
// B backs up into the file (Write commands), R restores from it (Read commands).
#include <sys/stat.h>

#include "client_support.h"

int main(int argc, char** argv)
{
    if (argc != 3 || (argv[1][0] != 'B' && argv[1][0] != 'R'))
    {
        fail("usage: linux_flow_client B|R <stripe-file>");
    }

    bool backup = argv[1][0] == 'B';
    int fd = open_stripe(argv[2], backup);

    umask(0);
    ClientVirtualDeviceSet* vds = new ClientVirtualDeviceSet();
    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = 1;

    std::string name = random_set_name();
    expect("Create", vds->Create(const_cast<char*>(name.c_str()), &config), NOERROR);
    announce({name});

    wait_for_configuration(vds, &config);
    if (config.maxTransferSize == 0 || config.blockSize == 0 || (config.features & (backup ? VDF_WriteMedia : VDF_ReadMedia)) == 0)
    {
        fail("GetConfiguration gave blockSize %u, maxTransferSize %u, features 0x%X", config.blockSize,
             config.maxTransferSize, config.features);
    }

    ClientVirtualDevice* vd = nullptr;
    expect("OpenDevice", vds->OpenDevice(const_cast<char*>(name.c_str()), &vd), NOERROR);
    if (vd == nullptr)
    {
        fail("OpenDevice returned NOERROR and no device");
    }

    unsigned long long bytes = serve_device(vd, fd, name.c_str());
    expect("Close", vds->Close(), NOERROR);
    close(fd);
    say("done bytes=%llu maxTransferSize=%u", bytes, config.maxTransferSize);
    return 0;
}
