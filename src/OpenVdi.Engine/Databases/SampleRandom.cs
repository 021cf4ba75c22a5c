namespace OpenVdi.Engine.Databases;

/// <summary>
/// SplitMix64: a tiny, fast generator whose output is fixed by its seed on every platform and runtime
/// version (unlike a seeded <see cref="Random"/>, whose sequence .NET does not promise to keep), so a
/// sample database is the same bytes wherever it is generated. Not for anything that needs secrecy.
/// </summary>
internal struct SampleRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A seed for one page, mixing the database seed, the file and the page so pages are independent.</summary>
    public static ulong SeedFor(int seed, int fileNumber, long pageNumber)
    {
        var mixer = new SampleRandom(((ulong)(uint)seed << 32) ^ ((ulong)(uint)fileNumber << 48) ^ (ulong)pageNumber);
        return mixer.NextUInt64();
    }

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="bound"/>), bound at most 2^32.</summary>
    public int Next(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);
}
