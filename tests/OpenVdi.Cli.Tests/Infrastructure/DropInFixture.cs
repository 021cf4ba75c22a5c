using OpenVdi.Testing;

namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>OpenVdi's drop-in libsqlvdi.so, published once for a test class (its build files apart from any other build of it).</summary>
public sealed class DropInFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private string? _library;

    /// <summary>The library's file.</summary>
    public string Library => _library ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync() =>
        _library = await DropInLibrary.PublishAsync(_temp.Combine("lib"), Path.Combine(RepositoryRoot.Path, "artifacts", "tests", "cli-vdi-library"));

    /// <summary>Nothing to end asynchronously; <see cref="Dispose"/>, which xunit calls too, removes the directory.</summary>
    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _temp.Dispose();
}
