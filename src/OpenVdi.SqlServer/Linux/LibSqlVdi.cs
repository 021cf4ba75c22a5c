using System.Runtime.InteropServices;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Linux;

/// <summary>
/// The members of the Linux <c>vdi.h</c>'s two classes, imported by their C++ names (<see cref="MangledNames"/>). The
/// classes have no virtual members, so a member is a plain function whose first argument is the object (<c>this</c>).
/// The library behind <see cref="LibraryName"/> is the one <see cref="SqlVdiLibrary"/> loaded.
/// </summary>
/// <remarks>
/// Types as g++ lays the header out on x86-64 Linux (LP64): <c>int</c> results, <c>time_t</c> timeouts as
/// <see cref="long"/>, <c>unsigned long</c> as <see cref="CULong"/>, names as NUL-terminated <c>char*</c>. Every
/// argument is blittable: no marshalling code runs between the call and the library.
/// </remarks>
internal static unsafe partial class LibSqlVdi
{
    /// <summary>The name every import carries; <see cref="SqlVdiLibrary"/>'s resolver maps it to the loaded file.</summary>
    public const string LibraryName = "libsqlvdi.so";

    /// <summary>Every entry point the binding calls: a library that lacks one is refused when it loads.</summary>
    public static readonly IReadOnlyList<string> EntryPoints =
    [
        MangledNames.SetConstructor, MangledNames.SetDestructor, MangledNames.Create, MangledNames.GetConfiguration,
        MangledNames.OpenDevice, MangledNames.Close, MangledNames.SignalAbort, MangledNames.OpenInSecondary,
        MangledNames.GetBufferHandle, MangledNames.MapBufferHandle, MangledNames.GetCommand, MangledNames.CompleteCommand,
    ];

    /// <summary><c>ClientVirtualDeviceSet::ClientVirtualDeviceSet()</c>, run on memory the caller owns.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.SetConstructor)]
    public static partial void ConstructSet(nint self);

    /// <summary><c>ClientVirtualDeviceSet::~ClientVirtualDeviceSet()</c>; the caller frees the memory afterwards.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.SetDestructor)]
    public static partial void DestroySet(nint self);

    /// <summary><c>int Create(char* name, VDConfig* cfg)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.Create)]
    public static partial int Create(nint self, byte* name, VdConfig* config);

    /// <summary><c>int GetConfiguration(time_t timeout, VDConfig* cfg)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.GetConfiguration)]
    public static partial int GetConfiguration(nint self, long timeoutMs, VdConfig* config);

    /// <summary><c>int OpenDevice(char* name, ClientVirtualDevice** ppVirtualDevice)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.OpenDevice)]
    public static partial int OpenDevice(nint self, byte* name, nint* device);

    /// <summary><c>int Close()</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.Close)]
    public static partial int Close(nint self);

    /// <summary><c>int SignalAbort()</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.SignalAbort)]
    public static partial int SignalAbort(nint self);

    /// <summary><c>int OpenInSecondary(char* setName)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.OpenInSecondary)]
    public static partial int OpenInSecondary(nint self, byte* setName);

    /// <summary><c>int GetBufferHandle(uint8_t* pBuffer, unsigned int* pBufferHandle)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.GetBufferHandle)]
    public static partial int GetBufferHandle(nint self, byte* buffer, uint* handle);

    /// <summary><c>int MapBufferHandle(int dwBuffer, uint8_t** ppBuffer)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.MapBufferHandle)]
    public static partial int MapBufferHandle(nint self, int handle, byte** buffer);

    /// <summary><c>int ClientVirtualDevice::GetCommand(time_t timeOut, VDC_Command** ppCmd)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.GetCommand)]
    public static partial int GetCommand(nint device, long timeoutMs, VdcCommandRecord** command);

    /// <summary><c>int ClientVirtualDevice::CompleteCommand(VDC_Command* pCmd, int completionCode, unsigned long bytesTransferred, int64_t position)</c>.</summary>
    [LibraryImport(LibraryName, EntryPoint = MangledNames.CompleteCommand)]
    public static partial int CompleteCommand(nint device, VdcCommandRecord* command, int completionCode, CULong bytesTransferred, long position);
}
