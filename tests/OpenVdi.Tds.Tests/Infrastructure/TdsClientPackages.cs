using System.Diagnostics;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>
/// tests/tds-clients: the Node.js TDS clients the tests drive (tedious, pinned by its package-lock.json), installed
/// with <c>npm ci</c> the first time a test needs them, unless .ci/run already did.
/// </summary>
public static class TdsClientPackages
{
    private static readonly Lazy<Task<string>> s_installed = new(InstallAsync);

    /// <summary>The folder, with node_modules in place.</summary>
    public static Task<string> DirectoryAsync() => s_installed.Value;

    private static async Task<string> InstallAsync()
    {
        string directory = Find();
        if (File.Exists(Path.Combine(directory, "node_modules", "tedious", "package.json")))
        {
            return directory;
        }

        var start = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started; install Node.js and npm (.ci/run does).");
        var output = npm.StandardOutput.ReadToEndAsync();
        var error = npm.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await npm.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw new InvalidOperationException("npm ci in tests/tds-clients did not finish within 5 minutes.");
        }

        return npm.ExitCode == 0
            ? directory
            : throw new InvalidOperationException($"npm ci in {directory} failed ({npm.ExitCode}):\n{await output}\n{await error}");
    }

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "tests", "tds-clients");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/tds-clients was not found above {AppContext.BaseDirectory}.");
    }
}
