using System.Globalization;

namespace OpenVdi.Bench;

/// <summary>
/// One throughput measurement: <see cref="Bytes"/> in all, split evenly over <see cref="Streams"/> streams (devices,
/// pipes, sockets), carried in transfers of <see cref="TransferSize"/> bytes with <see cref="BufferCount"/> buffers in
/// flight where the transport has buffers of its own (OpenVdi's BUFFERCOUNT, the in-process ring).
/// </summary>
internal sealed record ThroughputCase(TransportKind Transport, int Streams, int TransferSize, long Bytes, int BufferCount)
{
    /// <summary>
    /// The buffers a BACKUP without BUFFERCOUNT uses in the engine: three per device and two more (the engine's
    /// <c>StatementDevices.BufferCount</c> rule), shared by all devices.
    /// </summary>
    public static int DefaultBufferCount(int streams) => (3 * streams) + 2;

    /// <summary>The transfers each stream carries.</summary>
    public long ChunksPerStream => Bytes / Streams / TransferSize;

    /// <summary>What is really carried: whole transfers on every stream.</summary>
    public long CarriedBytes => ChunksPerStream * TransferSize * Streams;

    /// <summary>"64 KiB × 4", for the table.</summary>
    public string Shape => string.Create(CultureInfo.InvariantCulture, $"{SizeText(TransferSize)} × {Streams}");

    /// <summary>"64 KiB", "1 MiB".</summary>
    public static string SizeText(long bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KiB");
}
