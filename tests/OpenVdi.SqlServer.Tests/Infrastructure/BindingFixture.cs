using OpenVdi.SqlServer.TestPeer;
using OpenVdi.Testing;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>
/// Built once for the whole suite: OpenVdi's drop-in libsqlvdi.so, published as docs/sqlvdi.md says (its intermediate
/// files under artifacts/, apart from any other build of it), for the Linux binding to load. The binding loads it into
/// this very process, where OpenVdi's server half also runs: two .NET runtimes in one process (CoreCLR here, NativeAOT
/// in the library).
/// </summary>
public sealed class BindingFixture : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("openvdi-binding-").FullName;
    private string? _library;

    /// <summary>The drop-in library's file.</summary>
    public string Library => _library ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A fresh directory under the fixture's temporary one.</summary>
    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_work, name, Guid.NewGuid().ToString("N"))).FullName;

    public async Task InitializeAsync() =>
        _library = await DropInLibrary.PublishAsync(Path.Combine(_work, "lib"), Path.Combine(RepositoryRoot.Path, "artifacts", "tests", "sqlserver-binding"));

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A set object of <paramref name="implementation"/>; the Linux binding loads the drop-in, named as the option.</summary>
    public IClientVirtualDeviceSet2 Create(ClientImplementation implementation) =>
        ClientImplementations.Create(implementation, implementation == ClientImplementation.LinuxBinding ? Library : null);

    /// <summary>The binding's peer program, its Linux binding finding the drop-in through OPENVDI_SQLVDI_LIBRARY.</summary>
    public PeerProcess StartPeer(params string[] args) => StartPeer(new Dictionary<string, string?> { [VdiLibraryOptions.SqlVdiLibraryVariable] = Library }, args);

    /// <summary>The binding's peer program with the environment changes <paramref name="environment"/>.</summary>
    public static PeerProcess StartPeer(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        PeerProcess.StartAssembly("OpenVdi.SqlServer.TestPeer.dll", environment, args);
}

/// <summary>Every test of the binding shares one published library, and runs one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class BindingCollection : ICollectionFixture<BindingFixture>
{
    public const string Name = "binding";
}
