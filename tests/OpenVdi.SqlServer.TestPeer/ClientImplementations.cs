namespace OpenVdi.SqlServer.TestPeer;

/// <summary>Makes a client set object of any <see cref="ClientImplementation"/>, in the tests and in the peer alike.</summary>
public static class ClientImplementations
{
    /// <summary>
    /// A set object of <paramref name="implementation"/>. The Linux binding loads <paramref name="sqlVdiLibrary"/>, or,
    /// when it is null, whatever the binding's own search finds (the environment variable first).
    /// </summary>
    public static IClientVirtualDeviceSet2 Create(ClientImplementation implementation, string? sqlVdiLibrary = null) => implementation switch
    {
        ClientImplementation.OpenVdi => VirtualDeviceSets.Create(VdiLibrary.OpenVdi),
        ClientImplementation.LinuxBinding => VirtualDeviceSets.Create(VdiLibrary.Microsoft, new VdiLibraryOptions { SqlVdiLibraryPath = sqlVdiLibrary }),
        ClientImplementation.ComBinding => ComStandIn.CreateBinding(),
        _ => throw new ArgumentOutOfRangeException(nameof(implementation)),
    };
}
