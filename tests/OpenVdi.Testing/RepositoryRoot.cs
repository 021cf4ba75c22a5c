namespace OpenVdi.Testing;

/// <summary>The repository the tests run from: projects they build and sources they compile live there.</summary>
public static class RepositoryRoot
{
    /// <summary>The directory holding OpenVdi.sln, found upwards from the test assembly.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "OpenVdi.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No OpenVdi.sln above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    }
}
