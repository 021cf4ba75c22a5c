using System.Runtime.Versioning;
using OpenVdi.SqlServer.Binding;
using OpenVdi.SqlServer.Linux;
using OpenVdi.SqlServer.Windows;

namespace OpenVdi;

/// <summary>
/// The one way to make a client virtual device set: write the client once against <see cref="IClientVirtualDeviceSet2"/>
/// and <see cref="IClientVirtualDevice"/>, test it against OpenVdi's engine with <see cref="VdiLibrary.OpenVdi"/>, ship
/// it against a real SQL Server with <see cref="VdiLibrary.Microsoft"/>.
/// </summary>
/// <remarks>
/// Every set answers with the documented result codes of the interfaces. With <see cref="VdiLibrary.Microsoft"/> the
/// answers are the library's, with these differences (docs/real-sql-server.md lists them all): on Linux a named
/// instance is VD_E_INSTANCE_NAME (Linux has only the default instance, which may be named MSSQLSERVER), and
/// <see cref="VdiTimeout.Infinite"/> is passed as -1; with either library, a name holding a NUL character, a command
/// that is not outstanding on the device, and more bytes transferred than a Read's or Write's size are VD_E_INVALID
/// without a call to the library, and a device of a closed set answers VD_E_PROTOCOL.
/// </remarks>
public static class VirtualDeviceSets
{
    /// <summary>
    /// A client set object of <paramref name="library"/>, with no set yet: call CreateEx (primary) or OpenInSecondaryEx
    /// (secondary), and dispose it at the end. On Linux the first <see cref="VdiLibrary.Microsoft"/> set loads
    /// <c>libsqlvdi.so</c> for the whole process (see <see cref="VdiLibraryOptions.SqlVdiLibraryPath"/>); on Windows each
    /// activates sqlvdi.dll's COM class.
    /// </summary>
    /// <param name="library">Which implementation.</param>
    /// <param name="options">Where Microsoft's library is, and OpenVdi's transport options; null for the defaults.</param>
    /// <returns>The set object; it is <see cref="IDisposable"/>.</returns>
    /// <exception cref="VdiLibraryLoadException">
    /// <see cref="VdiLibrary.Microsoft"/>: no libsqlvdi.so could be loaded (the message lists each file tried and why it
    /// failed), or the process already loaded another one; on Windows, COM could not create the object (for example
    /// REGDB_E_CLASSNOTREG when sqlvdi.dll is not registered for this process's bitness).
    /// </exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="VdiLibrary.Microsoft"/> on a system other than Linux or Windows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="library"/> is not a <see cref="VdiLibrary"/>.</exception>
    public static IClientVirtualDeviceSet2 Create(VdiLibrary library, VdiLibraryOptions? options = null) => library switch
    {
        VdiLibrary.OpenVdi => options?.OpenVdi is { } transport ? new ClientVirtualDeviceSet(transport) : new ClientVirtualDeviceSet(),
        VdiLibrary.Microsoft when OperatingSystem.IsLinux() =>
            new NativeClientVirtualDeviceSet(LinuxSqlVdiSet.Construct(options?.SqlVdiLibraryPath)),
        VdiLibrary.Microsoft when OperatingSystem.IsWindows() =>
            new NativeClientVirtualDeviceSet(SqlVdiActivation.Activate(options?.ComClassId ?? SqlVdiGuids.ClientVirtualDeviceSetClass)),
        VdiLibrary.Microsoft => throw new PlatformNotSupportedException("Microsoft's VDI library exists for Linux (libsqlvdi.so) and Windows (sqlvdi.dll) only."),
        _ => throw new ArgumentOutOfRangeException(nameof(library), library, "Not a VDI library."),
    };

    /// <summary>
    /// Loads Microsoft's Linux library if the process has not yet (as the first <see cref="VdiLibrary.Microsoft"/> set
    /// would), and returns the file loaded: to fail early with a clear message, or to tell the user which library runs.
    /// </summary>
    /// <param name="options">Where the library is; null to search (see <see cref="VdiLibraryOptions.SqlVdiLibraryPath"/>).</param>
    /// <returns>The full path of the loaded libsqlvdi.so.</returns>
    /// <exception cref="VdiLibraryLoadException">No file loaded; the message lists each attempt and why it failed.</exception>
    [SupportedOSPlatform("linux")]
    public static string LoadSqlVdiLibrary(VdiLibraryOptions? options = null) => SqlVdiLibrary.Load(options?.SqlVdiLibraryPath);
}
