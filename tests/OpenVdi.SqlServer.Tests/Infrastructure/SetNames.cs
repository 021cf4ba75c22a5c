namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>Unique set names, and the /dev/shm segments OpenVdi's transport makes for a set (behind every implementation here).</summary>
public static class SetNames
{
    public static string Unique(string prefix = "b") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Every /dev/shm file of the set <paramref name="name"/>; names from <see cref="Unique"/> are kept as they are in segment names.</summary>
    public static string[] SegmentsOf(string name) =>
        Directory.GetFiles("/dev/shm").Where(f => Path.GetFileName(f).StartsWith("openvdi.", StringComparison.Ordinal)
            && Path.GetFileName(f).Contains(name, StringComparison.Ordinal)).ToArray();
}
