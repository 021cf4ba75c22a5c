namespace OpenVdi.SqlVdi.Abi;

/// <summary>
/// The symbols a C++ client of the Linux <c>vdi.h</c> references (Itanium C++ ABI, g++ on x86-64): the two classes'
/// constructors and destructors, complete-object (C1, D1) and base-object (C2, D2) forms, and their members. The
/// classes have no virtual members, so there is no deleting destructor (D0) and no vtable.
/// </summary>
internal static class MangledNames
{
    /// <summary><c>ClientVirtualDeviceSet::ClientVirtualDeviceSet()</c>, complete object.</summary>
    public const string SetConstructor = "_ZN22ClientVirtualDeviceSetC1Ev";

    /// <summary><c>ClientVirtualDeviceSet::ClientVirtualDeviceSet()</c>, base object (a client's class derived from it).</summary>
    public const string SetBaseConstructor = "_ZN22ClientVirtualDeviceSetC2Ev";

    /// <summary><c>ClientVirtualDeviceSet::~ClientVirtualDeviceSet()</c>, complete object.</summary>
    public const string SetDestructor = "_ZN22ClientVirtualDeviceSetD1Ev";

    /// <summary><c>ClientVirtualDeviceSet::~ClientVirtualDeviceSet()</c>, base object.</summary>
    public const string SetBaseDestructor = "_ZN22ClientVirtualDeviceSetD2Ev";

    /// <summary><c>int ClientVirtualDeviceSet::Create(char*, VDConfig*)</c>.</summary>
    public const string Create = "_ZN22ClientVirtualDeviceSet6CreateEPcP8VDConfig";

    /// <summary><c>int ClientVirtualDeviceSet::GetConfiguration(time_t, VDConfig*)</c>.</summary>
    public const string GetConfiguration = "_ZN22ClientVirtualDeviceSet16GetConfigurationElP8VDConfig";

    /// <summary><c>int ClientVirtualDeviceSet::OpenDevice(char*, ClientVirtualDevice**)</c>.</summary>
    public const string OpenDevice = "_ZN22ClientVirtualDeviceSet10OpenDeviceEPcPP19ClientVirtualDevice";

    /// <summary><c>int ClientVirtualDeviceSet::Close()</c>.</summary>
    public const string Close = "_ZN22ClientVirtualDeviceSet5CloseEv";

    /// <summary><c>int ClientVirtualDeviceSet::SignalAbort()</c>.</summary>
    public const string SignalAbort = "_ZN22ClientVirtualDeviceSet11SignalAbortEv";

    /// <summary><c>int ClientVirtualDeviceSet::OpenInSecondary(char*)</c>.</summary>
    public const string OpenInSecondary = "_ZN22ClientVirtualDeviceSet15OpenInSecondaryEPc";

    /// <summary><c>int ClientVirtualDeviceSet::GetBufferHandle(uint8_t*, unsigned int*)</c>.</summary>
    public const string GetBufferHandle = "_ZN22ClientVirtualDeviceSet15GetBufferHandleEPhPj";

    /// <summary><c>int ClientVirtualDeviceSet::MapBufferHandle(int, uint8_t**)</c>.</summary>
    public const string MapBufferHandle = "_ZN22ClientVirtualDeviceSet15MapBufferHandleEiPPh";

    /// <summary><c>void ClientVirtualDeviceSet::RegisterDeviceClosed()</c> (undocumented).</summary>
    public const string RegisterDeviceClosed = "_ZN22ClientVirtualDeviceSet20RegisterDeviceClosedEv";

    /// <summary><c>ClientVirtualDevice::ClientVirtualDevice()</c>, complete object.</summary>
    public const string DeviceConstructor = "_ZN19ClientVirtualDeviceC1Ev";

    /// <summary><c>ClientVirtualDevice::ClientVirtualDevice()</c>, base object.</summary>
    public const string DeviceBaseConstructor = "_ZN19ClientVirtualDeviceC2Ev";

    /// <summary><c>ClientVirtualDevice::~ClientVirtualDevice()</c>, complete object (what <c>delete device</c> calls).</summary>
    public const string DeviceDestructor = "_ZN19ClientVirtualDeviceD1Ev";

    /// <summary><c>ClientVirtualDevice::~ClientVirtualDevice()</c>, base object.</summary>
    public const string DeviceBaseDestructor = "_ZN19ClientVirtualDeviceD2Ev";

    /// <summary><c>int ClientVirtualDevice::GetCommand(time_t, VDC_Command**)</c>.</summary>
    public const string GetCommand = "_ZN19ClientVirtualDevice10GetCommandElPP11VDC_Command";

    /// <summary><c>int ClientVirtualDevice::CompleteCommand(VDC_Command*, int, unsigned long, int64_t)</c>.</summary>
    public const string CompleteCommand = "_ZN19ClientVirtualDevice15CompleteCommandEP11VDC_Commandiml";
}
