using System.Runtime.InteropServices;
using OpenVdi.SqlServer.Tests.Infrastructure;

namespace OpenVdi.SqlServer.Tests.Linux;

/// <summary>
/// Where the Linux binding finds libsqlvdi.so (docs/real-sql-server.md): an explicit path, else OPENVDI_SQLVDI_LIBRARY,
/// else the dynamic loader's search, else /opt/mssql/lib; and the error that names every place tried. Each case runs
/// in a new process (the binding's peer), as a process loads its library once.
/// </summary>
[Collection(BindingCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LibraryResolutionTests(BindingFixture fixture)
{
    private const string Variable = VdiLibraryOptions.SqlVdiLibraryVariable;

    [Fact(Timeout = 60000)]
    public async Task An_explicit_path_to_the_file_or_its_directory_is_loaded_and_reported_in_full()
    {
        string directory = Path.GetDirectoryName(fixture.Library)!;
        Assert.Equal(["loaded " + fixture.Library], await LoadAsync(Clean(), directory));
        Assert.Equal(["loaded " + fixture.Library], await LoadAsync(Clean(), fixture.Library));
    }

    [Fact(Timeout = 60000)]
    public async Task The_environment_variable_names_the_library_when_no_path_is_given()
    {
        var environment = Clean();
        environment[Variable] = fixture.Library;
        Assert.Equal(["loaded " + fixture.Library], await LoadAsync(environment));
    }

    [Fact(Timeout = 60000)]
    public async Task The_dynamic_loader_finds_it_on_LD_LIBRARY_PATH_when_nothing_names_it()
    {
        var environment = Clean();
        environment["LD_LIBRARY_PATH"] = Path.GetDirectoryName(fixture.Library);
        Assert.Equal(["loaded " + fixture.Library], await LoadAsync(environment));
    }

    [Fact(Timeout = 60000)]
    public async Task With_nothing_to_load_the_error_names_the_loaders_search_and_the_installed_path()
    {
        var lines = await LoadAsync(Clean());
        if (File.Exists(VdiLibraryOptions.InstalledSqlVdiLibrary))
        {
            // A machine with SQL Server: its library is the last resort, and it loads.
            Assert.Equal(["loaded " + VdiLibraryOptions.InstalledSqlVdiLibrary], lines);
            return;
        }

        Assert.Equal("failed", lines[0]);
        string message = string.Join('\n', lines.Skip(1));
        Assert.Contains("libsqlvdi.so (the dynamic loader's search (LD_LIBRARY_PATH, then the system's library directories)): libsqlvdi.so: cannot open shared object file", message, StringComparison.Ordinal);
        Assert.Contains("/opt/mssql/lib/libsqlvdi.so (SQL Server's installed library): no such file", message, StringComparison.Ordinal);
        Assert.Contains(Variable, message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task A_named_file_that_does_not_load_is_the_only_one_tried()
    {
        // The loader's search would find the drop-in: a name that fails must not fall back to another library.
        var environment = Clean();
        environment["LD_LIBRARY_PATH"] = Path.GetDirectoryName(fixture.Library);
        environment[Variable] = "/nonexistent/libsqlvdi.so";
        var lines = await LoadAsync(environment);
        Assert.Equal("failed", lines[0]);
        Assert.Contains($"  /nonexistent/libsqlvdi.so (${Variable}): no such file", lines);
        Assert.DoesNotContain(lines, line => line.Contains("dynamic loader", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60000)]
    public async Task A_library_that_lacks_the_members_or_a_file_that_is_no_library_is_refused_with_the_reason()
    {
        string other = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native.so");
        var lines = await LoadAsync(Clean(), other);
        Assert.Equal("failed", lines[0]);
        Assert.Contains(lines, line => line.Contains("loaded, but it does not export _ZN22ClientVirtualDeviceSetC1Ev", StringComparison.Ordinal));

        string notElf = Path.Combine(fixture.NewDirectory("not-a-library"), "libsqlvdi.so");
        await File.WriteAllTextAsync(notElf, string.Concat(Enumerable.Repeat("not a shared object\n", 200)));
        lines = await LoadAsync(Clean(), notElf);
        Assert.Equal("failed", lines[0]);
        Assert.Contains(lines, line => line.StartsWith($"  {notElf} (the path given): ", StringComparison.Ordinal) && line.EndsWith("invalid ELF header", StringComparison.Ordinal));
    }

    [Fact]
    public void This_process_loaded_the_drop_in_once_and_refuses_a_second_library()
    {
        // The contract suite's Linux binding runs here, over the drop-in: a NativeAOT library inside this CoreCLR process.
        fixture.Create(TestPeer.ClientImplementation.LinuxBinding).Dispose();
        Assert.Equal(fixture.Library, VirtualDeviceSets.LoadSqlVdiLibrary(new VdiLibraryOptions { SqlVdiLibraryPath = fixture.Library }));
        Assert.Contains(File.ReadLines("/proc/self/maps"), line => line.EndsWith(" " + fixture.Library, StringComparison.Ordinal));

        string other = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native.so");
        var refused = Assert.Throws<VdiLibraryLoadException>(() => VirtualDeviceSets.Create(VdiLibrary.Microsoft, new VdiLibraryOptions { SqlVdiLibraryPath = other }));
        Assert.Contains($"already loaded Microsoft's VDI library from {fixture.Library}", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The environment of a peer that names no library: neither the variable nor a library path.</summary>
    private static Dictionary<string, string?> Clean() => new() { [Variable] = null, ["LD_LIBRARY_PATH"] = null };

    /// <summary>The peer's <c>load</c> role: what it printed.</summary>
    private static async Task<IReadOnlyList<string>> LoadAsync(Dictionary<string, string?> environment, string? path = null)
    {
        using var peer = BindingFixture.StartPeer(environment, path is null ? ["load"] : ["load", path]);
        var lines = await peer.ReadToEndAsync();
        int exitCode = await peer.WaitForExitAsync();
        Assert.True(lines.Count > 0 && exitCode == (lines[0] == "failed" ? 1 : 0), $"The peer exited with {exitCode} after: {string.Join(" | ", lines)}");
        return lines;
    }
}
