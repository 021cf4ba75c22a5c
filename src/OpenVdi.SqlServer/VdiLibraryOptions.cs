namespace OpenVdi;

/// <summary>Options of <see cref="VirtualDeviceSets.Create(VdiLibrary, VdiLibraryOptions?)"/>.</summary>
public sealed class VdiLibraryOptions
{
    /// <summary>
    /// The environment variable naming the <c>libsqlvdi.so</c> to load on Linux when
    /// <see cref="SqlVdiLibraryPath"/> does not: <c>OPENVDI_SQLVDI_LIBRARY</c>.
    /// </summary>
    public const string SqlVdiLibraryVariable = "OPENVDI_SQLVDI_LIBRARY";

    /// <summary>Where Microsoft installs its Linux VDI library with SQL Server: <c>/opt/mssql/lib/libsqlvdi.so</c>.</summary>
    public const string InstalledSqlVdiLibrary = "/opt/mssql/lib/libsqlvdi.so";

    /// <summary>
    /// <see cref="VdiLibrary.Microsoft"/> on Linux: the <c>libsqlvdi.so</c> file to load (or a directory holding one).
    /// When set, it is the only file tried. When null, the path in the environment variable
    /// <see cref="SqlVdiLibraryVariable"/> is the only file tried; when that is unset too, the dynamic loader's search
    /// for <c>libsqlvdi.so</c> (<c>LD_LIBRARY_PATH</c>, then the system's library directories), then
    /// <see cref="InstalledSqlVdiLibrary"/>. A process loads one such library: the first set made decides which.
    /// </summary>
    public string? SqlVdiLibraryPath { get; init; }

    /// <summary>
    /// <see cref="VdiLibrary.Microsoft"/> on Windows: the COM class to activate. Default: SQL Server's client set,
    /// <c>CLSID_MSSQL_ClientVirtualDeviceSet</c> (40700425-0080-11d2-851f-00c04fc21759).
    /// </summary>
    public Guid ComClassId { get; init; } = SqlServer.Windows.SqlVdiGuids.ClientVirtualDeviceSetClass;

    /// <summary><see cref="VdiLibrary.OpenVdi"/>: the options of OpenVdi's transport (segment permissions, device naming wait).</summary>
    public VirtualDeviceSetOptions? OpenVdi { get; init; }
}
