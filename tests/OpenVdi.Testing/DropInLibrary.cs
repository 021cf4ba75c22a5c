namespace OpenVdi.Testing;

/// <summary>
/// OpenVdi's drop-in libsqlvdi.so (src/OpenVdi.SqlVdi), published with the command docs/sqlvdi.md gives, for tests that
/// run clients of Microsoft's Linux library against it.
/// </summary>
public static class DropInLibrary
{
    private static readonly TimeSpan s_publishLimit = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Publishes the library into <paramref name="output"/> and returns the path of libsqlvdi.so there. With
    /// <paramref name="artifacts"/>, the build's intermediate files go there rather than into the project's obj/, so
    /// that two test assemblies publishing at once do not write the same files.
    /// </summary>
    public static async Task<string> PublishAsync(string output, string? artifacts = null)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        string project = Path.Combine(RepositoryRoot.Path, "src", "OpenVdi.SqlVdi", "OpenVdi.SqlVdi.csproj");
        string[] isolation = artifacts is null ? [] : ["--artifacts-path", artifacts];
        await ExternalCommand.RunCheckedAsync(
            dotnet,
            ["publish", project, "-c", "Release", "-o", output, "--nologo", "--disable-build-servers", .. isolation],
            s_publishLimit,
            start =>
            {
                // The test run's own MSBuild settings must not leak into this separate build.
                foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    start.Environment.Remove(key);
                }
            });
        string library = Path.Combine(output, "libsqlvdi.so");
        Xunit.Assert.True(File.Exists(library), $"dotnet publish made no libsqlvdi.so in {output}.");
        return library;
    }
}
