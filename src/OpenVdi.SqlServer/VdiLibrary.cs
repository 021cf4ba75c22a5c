namespace OpenVdi;

/// <summary>Which implementation stands behind the client interfaces a <see cref="VirtualDeviceSets"/> call returns.</summary>
public enum VdiLibrary
{
    /// <summary>
    /// OpenVdi's own client half over its shared-memory transport: talks to OpenVdi's server half (the engine, `vdi
    /// engine serve`, a <see cref="ServerVirtualDeviceSet"/>), on any machine, with no SQL Server.
    /// </summary>
    OpenVdi,

    /// <summary>
    /// Microsoft's VDI library, the only one a real SQL Server attaches to: <c>libsqlvdi.so</c> on Linux, the COM
    /// server <c>sqlvdi.dll</c> on Windows.
    /// </summary>
    Microsoft,
}
