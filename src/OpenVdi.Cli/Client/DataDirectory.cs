namespace OpenVdi.Cli.Client;

/// <summary>Where the engine keeps its databases unless <c>--data</c> says otherwise.</summary>
internal static class DataDirectory
{
    /// <summary><c>$XDG_DATA_HOME/openvdi/data</c>, else <c>~/.local/share/openvdi/data</c>.</summary>
    public static string Default
    {
        get
        {
            string? dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            if (string.IsNullOrEmpty(dataHome) || !Path.IsPathFullyQualified(dataHome))
            {
                dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            }

            return Path.Combine(dataHome, "openvdi", "data");
        }
    }

    /// <summary>The full path of <paramref name="given"/>, or the default.</summary>
    public static string Resolve(string? given) => Path.GetFullPath(string.IsNullOrEmpty(given) ? Default : given);

    /// <summary>Creates the data directory if it is missing: the databases are the user's data, so a new one is the user's alone (0700).</summary>
    /// <exception cref="IOException">It cannot be created.</exception>
    public static void EnsureExists(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
