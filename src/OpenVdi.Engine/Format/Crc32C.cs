using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;
using X86Sse42 = System.Runtime.Intrinsics.X86.Sse42;

namespace OpenVdi.Engine.Format;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), the
/// checksum of every structure and data block in the backup stream.
/// </summary>
/// <remarks>
/// Uses the CPU's CRC32C instruction where there is one (SSE4.2 on x86-64, the CRC extension on Arm64)
/// and a slicing-by-8 table otherwise; both give identical results. Long inputs are split into three
/// lanes checksummed in one loop, because the instruction has a latency of three cycles but a
/// throughput of one per cycle: three independent chains keep the unit busy, and the lane results
/// are joined with a carry-less multiplication by x^(8·lane) mod P. The check value of the ASCII
/// string "123456789" is 0xE3069283.
/// </remarks>
public static class Crc32C
{
    /// <summary>The reflected CRC-32C polynomial.</summary>
    internal const uint Polynomial = 0x82F63B78;

    // Lane lengths for the three-way split: the long one carries the bulk of a block, the short one
    // the tail, so that at most 3 × ShortLane bytes go through the single chain.
    private const int LongLane = 8192;
    private const int ShortLane = 256;

    // Get-only static properties (read-only backing fields the JIT folds like any static readonly).
    private static uint[] Table { get; } = BuildSlicingTable();

    private static uint LongLaneShift { get; } = PowerOfX(8L * LongLane);

    private static uint ShortLaneShift { get; } = PowerOfX(8L * ShortLane);

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to checksum.</param>
    /// <returns>The finished CRC-32C value.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a checksum: returns the CRC-32C of the bytes that gave <paramref name="crc"/>
    /// followed by <paramref name="data"/>. <c>Append(Compute(a), b) == Compute(a ++ b)</c>.
    /// </summary>
    /// <param name="crc">The finished CRC-32C of the preceding bytes (0 for none).</param>
    /// <param name="data">The bytes that follow.</param>
    /// <returns>The finished CRC-32C of the concatenation.</returns>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    /// <summary>Feeds <paramref name="data"/> into the raw (pre-inverted) register state.</summary>
    internal static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (X86Sse42.X64.IsSupported || ArmCrc32.Arm64.IsSupported)
        {
            state = UpdateLanes(state, ref data, LongLane, LongLaneShift);
            state = UpdateLanes(state, ref data, ShortLane, ShortLaneShift);
            return UpdateHardware(state, data);
        }

        return UpdateSoftware(state, data);
    }

    /// <summary>
    /// Checksums as many whole strides of three <paramref name="lane"/>-byte lanes as
    /// <paramref name="data"/> holds, and leaves the rest in <paramref name="data"/>.
    /// </summary>
    private static uint UpdateLanes(uint state, ref ReadOnlySpan<byte> data, int lane, uint laneShift)
    {
        int stride = 3 * lane;
        while (data.Length >= stride)
        {
            ReadOnlySpan<ulong> a = MemoryMarshal.Cast<byte, ulong>(data[..lane]);
            ReadOnlySpan<ulong> b = MemoryMarshal.Cast<byte, ulong>(data.Slice(lane, lane));
            ReadOnlySpan<ulong> c = MemoryMarshal.Cast<byte, ulong>(data.Slice(2 * lane, lane));
            uint crcA = state;
            uint crcB = 0;
            uint crcC = 0;
            for (int i = 0; i < a.Length; i++)
            {
                crcA = Step(crcA, LittleEndian(a[i]));
                crcB = Step(crcB, LittleEndian(b[i]));
                crcC = Step(crcC, LittleEndian(c[i]));
            }

            // Register state after A then B = (state after A) · x^(8·|B|) mod P, XOR (B from zero).
            state = MultiplyModP(crcA, laneShift) ^ crcB;
            state = MultiplyModP(state, laneShift) ^ crcC;
            data = data[stride..];
        }

        return state;
    }

    /// <summary>One chain through the CRC instruction, eight bytes at a time.</summary>
    internal static uint UpdateHardware(uint state, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong word in words)
        {
            state = Step(state, LittleEndian(word));
        }

        foreach (byte b in data[(words.Length * sizeof(ulong))..])
        {
            state = X86Sse42.IsSupported ? X86Sse42.Crc32(state, b) : ArmCrc32.ComputeCrc32C(state, b);
        }

        return state;
    }

    /// <summary>The table-driven path (slicing by 8), for CPUs without a CRC32C instruction.</summary>
    internal static uint UpdateSoftware(uint state, ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        while (data.Length >= sizeof(ulong))
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ state;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[sizeof(uint)..]);
            state = table[(7 * 256) + (low & 0xFF)]
                ^ table[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ table[(5 * 256) + ((low >> 16) & 0xFF)]
                ^ table[(4 * 256) + (low >> 24)]
                ^ table[(3 * 256) + (high & 0xFF)]
                ^ table[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ table[256 + ((high >> 16) & 0xFF)]
                ^ table[high >> 24];
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            state = table[(state ^ b) & 0xFF] ^ (state >> 8);
        }

        return state;
    }

    private static uint Step(uint state, ulong word) =>
        X86Sse42.X64.IsSupported
            ? (uint)X86Sse42.X64.Crc32(state, word)
            : ArmCrc32.Arm64.ComputeCrc32C(state, word);

    // The CRC instructions consume the register's bytes in little-endian order; on a big-endian host
    // (none that .NET ships today) the loaded word would have to be swapped first.
    private static ulong LittleEndian(ulong word) =>
        BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    /// <summary>
    /// a(x) · b(x) mod P(x) in the reflected representation, where bit 31 is the coefficient of x^0.
    /// </summary>
    internal static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (uint bit = 1u << 31; bit != 0; bit >>= 1)
        {
            // Branch-free: add b when a has this power of x, then multiply b by x (reducing x^32 by P).
            product ^= b & (0u - ((a & bit) != 0 ? 1u : 0u));
            b = (b >> 1) ^ (Polynomial & (0u - (b & 1)));
        }

        return product;
    }

    /// <summary>x^<paramref name="power"/> mod P in the reflected representation.</summary>
    private static uint PowerOfX(long power)
    {
        uint result = 1u << 31; // x^0
        uint square = 1u << 30; // x^1, then x^2, x^4, … by repeated squaring
        for (; power != 0; power >>= 1)
        {
            if ((power & 1) != 0)
            {
                result = MultiplyModP(result, square);
            }

            square = MultiplyModP(square, square);
        }

        return result;
    }

    private static uint[] BuildSlicingTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (Polynomial & (0u - (crc & 1)));
            }

            table[i] = crc;
        }

        // Table k gives the effect of a byte followed by k zero bytes.
        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = table[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return table;
    }
}
