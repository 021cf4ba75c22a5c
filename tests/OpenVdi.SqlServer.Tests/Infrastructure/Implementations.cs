using OpenVdi.SqlServer.TestPeer;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>The implementations every contract test runs against.</summary>
public static class Implementations
{
    /// <summary>OpenVdi's client, the Linux binding over the drop-in, the COM binding over the stand-in.</summary>
    public static TheoryData<ClientImplementation> All => new(Enum.GetValues<ClientImplementation>());

    /// <summary>The implementations in which Microsoft's library stands behind the interfaces.</summary>
    public static TheoryData<ClientImplementation> Bindings => new(ClientImplementation.LinuxBinding, ClientImplementation.ComBinding);
}
