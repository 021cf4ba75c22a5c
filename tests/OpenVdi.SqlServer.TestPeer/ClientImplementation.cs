namespace OpenVdi.SqlServer.TestPeer;

/// <summary>The implementations of the client interfaces that the contract suite holds to one contract.</summary>
public enum ClientImplementation
{
    /// <summary>OpenVdi's managed client over its transport (<see cref="VdiLibrary.OpenVdi"/>).</summary>
    OpenVdi,

    /// <summary>The Linux binding (<see cref="VdiLibrary.Microsoft"/>) over a libsqlvdi.so: here, OpenVdi's drop-in.</summary>
    LinuxBinding,

    /// <summary>The Windows COM binding, its calls through real COM vtables into a stand-in COM object (<see cref="ComStandIn"/>).</summary>
    ComBinding,
}
