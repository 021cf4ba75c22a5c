using System.Diagnostics;
using OpenVdi.Testing;

namespace OpenVdi.SqlVdi.Tests.Infrastructure;

/// <summary>
/// The drop-in library, published with the documented command, and the native test clients compiled against the
/// header in src/OpenVdi.SqlVdi/include and linked with <c>-lsqlvdi</c>, as a client of Microsoft's library is.
/// </summary>
internal sealed class NativeBuild
{
    /// <summary>The native clients under tests/native, each a program of the same name.</summary>
    public static readonly IReadOnlyList<string> Clients = ["abi_probe", "linux_flow_client", "striped_client", "buffer_handle_client", "misuse_client"];

    private static readonly TimeSpan s_compileLimit = TimeSpan.FromMinutes(3);

    private NativeBuild(string libraryDirectory, string clientDirectory)
    {
        LibraryDirectory = libraryDirectory;
        ClientDirectory = clientDirectory;
    }

    /// <summary>Where libsqlvdi.so is: what a client's LD_LIBRARY_PATH names.</summary>
    public string LibraryDirectory { get; }

    /// <summary>The library itself.</summary>
    public string Library => Path.Combine(LibraryDirectory, "libsqlvdi.so");

    /// <summary>Where the compiled clients are.</summary>
    public string ClientDirectory { get; }

    /// <summary>The header directory every client compiles against.</summary>
    public static string IncludeDirectory => Path.Combine(RepositoryRoot.Path, "src", "OpenVdi.SqlVdi", "include");

    /// <summary>The compiled client <paramref name="name"/>.</summary>
    public string Client(string name) => Path.Combine(ClientDirectory, name);

    /// <summary>Publishes the library into <paramref name="work"/>/lib and compiles every client into <paramref name="work"/>/bin.</summary>
    public static async Task<NativeBuild> BuildAsync(string work)
    {
        var build = new NativeBuild(Path.Combine(work, "lib"), Path.Combine(work, "bin"));
        Directory.CreateDirectory(build.ClientDirectory);
        await DropInLibrary.PublishAsync(build.LibraryDirectory);
        await Task.WhenAll(Clients.Select(client => build.CompileAsync(client)));
        return build;
    }

    private async Task CompileAsync(string client)
    {
        string source = Path.Combine(RepositoryRoot.Path, "tests", "native", client + ".cpp");
        await ExternalCommand.RunCheckedAsync(
            "g++",
            ["-std=c++17", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-pthread",
             "-I", IncludeDirectory, "-I", Path.GetDirectoryName(source)!,
             source, "-o", Client(client), "-L", LibraryDirectory, "-lsqlvdi"],
            s_compileLimit);
    }

    /// <summary>How a client is started: with the library found through LD_LIBRARY_PATH, as docs/sqlvdi.md says.</summary>
    public ProcessStartInfo StartInfo(string client, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Client(client)) { UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LD_LIBRARY_PATH"] = LibraryDirectory;
        return start;
    }
}
