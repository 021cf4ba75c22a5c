namespace OpenVdi.Testing;

/// <summary>Unique set names, so tests running in parallel never meet, and the /dev/shm segments of a set.</summary>
public static class SetNames
{
    public static string Unique(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Every /dev/shm file of the set <paramref name="name"/> (control and buffer segments).</summary>
    /// <remarks>Names from <see cref="Unique"/> use only characters the segment naming keeps as they are.</remarks>
    public static string[] SegmentsOf(string name) =>
        AllSegments().Where(f => Path.GetFileName(f).Contains(name, StringComparison.Ordinal)).ToArray();

    /// <summary>Every OpenVdi segment in /dev/shm.</summary>
    public static string[] AllSegments() =>
        Directory.GetFiles("/dev/shm").Where(f => Path.GetFileName(f).StartsWith("openvdi.", StringComparison.Ordinal)).ToArray();
}
