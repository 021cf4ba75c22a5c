// References every member the header declares, the base-object constructors and destructors included (through
// classes derived from the two), so that linking it proves the library defines each name a client can need; then
// loads the library's runtime with one call that has a documented answer.
#include "client_support.h"

namespace
{

struct DerivedSet : ClientVirtualDeviceSet
{
};

struct DerivedDevice : ClientVirtualDevice
{
};

} // namespace

// Never called, and not static, so that the compiler keeps it: it only makes the object reference the members.
void reference_every_member(ClientVirtualDeviceSet* set, ClientVirtualDevice* device);
void reference_every_member(ClientVirtualDeviceSet* set, ClientVirtualDevice* device)
{
    VDConfig config{};
    VDC_Command* command = nullptr;
    unsigned int handle = 0;
    uint8_t* buffer = nullptr;
    char name[] = "probe";
    set->Create(name, &config);
    set->GetConfiguration(0, &config);
    set->OpenDevice(name, &device);
    set->Close();
    set->SignalAbort();
    set->OpenInSecondary(name);
    set->GetBufferHandle(buffer, &handle);
    set->MapBufferHandle(0, &buffer);
    set->RegisterDeviceClosed();
    device->GetCommand(0, &command);
    device->CompleteCommand(command, ERROR_SUCCESS, 0, 0);
    delete device;
    DerivedDevice derived_device;       // base-object constructor and destructor (C2, D2)
    ClientVirtualDevice plain_device;   // complete-object constructor and destructor (C1, D1)
    ClientVirtualDeviceSet plain_set;
}

int main()
{
    DerivedSet set;
    expect("Close of a set never created", set.Close(), VD_E_PROTOCOL);
    say("done");
    return 0;
}
