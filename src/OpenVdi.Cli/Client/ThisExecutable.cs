using System.Diagnostics;

namespace OpenVdi.Cli.Client;

/// <summary>How to start this very tool again as a child process, whether it runs as <c>vdi</c> or as <c>dotnet vdi.dll</c>.</summary>
internal static class ThisExecutable
{
    /// <summary>A start for <c>vdi <paramref name="arguments"/></c>.</summary>
    /// <exception cref="IOException">The path of this executable is unknown.</exception>
    public static ProcessStartInfo Start(params IEnumerable<string> arguments)
    {
        string path = Environment.ProcessPath ?? throw new IOException("The path of this executable is unknown.");
        var start = new ProcessStartInfo(path) { UseShellExecute = false };

        // Run as 'dotnet vdi.dll': start the same way.
        if (string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ThisExecutable).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
