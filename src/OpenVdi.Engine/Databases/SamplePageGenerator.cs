using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using OpenVdi.Engine.Format;

namespace OpenVdi.Engine.Databases;

/// <summary>
/// Fills 8 KiB pages that look like a database's: a 96-byte page header (type, ids, slot count, LSN,
/// page checksum), then rows of customer-like records built from small vocabularies (so they compress the
/// way real tables do), index pages of sorted keys, unallocated (zeroed) pages, and incompressible pages
/// standing for LOB or already-compressed data. Each page depends only on (seed, file, page number).
/// </summary>
internal static class SamplePageGenerator
{
    /// <summary>The page size, as SQL Server's.</summary>
    public const int PageSize = 8192;

    /// <summary>Length of the page header.</summary>
    public const int HeaderLength = 96;

    // Page header fields, by running offset.
    private const int TypeOffset = 0;
    private const int LevelOffset = TypeOffset + 1;
    private const int FlagsOffset = LevelOffset + 1;
    private const int ObjectIdOffset = FlagsOffset + sizeof(ushort);
    private const int PageNumberOffset = ObjectIdOffset + sizeof(int);
    private const int FileNumberOffset = PageNumberOffset + sizeof(long);
    private const int SlotCountOffset = FileNumberOffset + sizeof(ushort);
    private const int FreeOffsetOffset = SlotCountOffset + sizeof(ushort);
    private const int LsnOffset = FreeOffsetOffset + sizeof(ushort);
    private const int ChecksumOffset = LsnOffset + sizeof(long);

    private const byte FileHeaderPage = 15;
    private const byte DataPage = 1;
    private const byte IndexPage = 2;
    private const byte LobPage = 3;
    private const byte LogPage = 20;

    private static byte[][] FirstNames { get; } = Words("Anna Ben Chloe David Emma Felix Grace Hugo Iris Jonas Kara Liam Mia Noah Olga Paul Quinn Rosa Sam Tara Uma Victor Wendy Xavier Yara Zoe Marta Lukas Sofia Elena Tomas Nina");
    private static byte[][] LastNames { get; } = Words("Smith Jones Garcia Muller Rossi Dubois Novak Silva Kowalski Jensen Berg Costa Ivanova Tanaka Kim Nguyen Olsen Weber Moreau Santos Horvat Lindqvist Fischer Romano Bianchi Petrov Schmidt Larsen Martin Lopez Young Walker");
    private static byte[][] Cities { get; } = Words("Berlin Lisbon Oslo Vienna Prague Madrid Dublin Warsaw Zagreb Athens Helsinki Tallinn Riga Vilnius Bern Brussels Paris Rome Milan Porto Seville Lyon Munich Hamburg");
    private static byte[][] Notes { get; } = Lines(
        "standard delivery, no remarks",
        "customer asked for an invoice by mail",
        "paid by card at the counter",
        "backorder: ships when stock arrives",
        "gift wrap requested",
        "returned item, refund pending",
        "priority shipping, handle with care",
        "repeat customer, loyalty discount applied",
        "address verified by phone",
        "split delivery in two parcels",
        "no answer at the door, retry tomorrow",
        "signed for by the neighbour");

    /// <summary>Fills one page of a data file.</summary>
    public static void FillDataPage(Span<byte> page, int seed, int fileNumber, long pageNumber)
    {
        var random = new SampleRandom(SampleRandom.SeedFor(seed, fileNumber, pageNumber));
        page.Clear();
        if (pageNumber == 0)
        {
            WriteHeader(page, FileHeaderPage, 0, fileNumber, pageNumber, 0, HeaderLength, ref random);
            Encoding.ASCII.GetBytes("OpenVdi sample database file", page[HeaderLength..]);
            Seal(page);
            return;
        }

        int kind = random.Next(100);
        switch (kind)
        {
            case < 10:
                // Unallocated: an all-zero page, as in a freshly grown file.
                return;
            case < 17:
                WriteHeader(page, LobPage, 0, fileNumber, pageNumber, 1, PageSize, ref random);
                FillRandom(page[HeaderLength..], ref random);
                break;
            case < 27:
                FillIndexPage(page, fileNumber, pageNumber, ref random);
                break;
            default:
                FillRowPage(page, fileNumber, pageNumber, ref random);
                break;
        }

        Seal(page);
    }

    /// <summary>Fills one page of a log file; the last quarter of the log is unused (zero).</summary>
    public static void FillLogPage(Span<byte> page, int seed, int fileNumber, long pageNumber, long pageCount)
    {
        page.Clear();
        if (pageNumber >= pageCount - (pageCount / 4))
        {
            return;
        }

        var random = new SampleRandom(SampleRandom.SeedFor(seed, fileNumber, pageNumber));
        int slots = 0;
        int cursor = HeaderLength;
        long lsn = (pageNumber << 16) + 1;
        while (true)
        {
            Span<byte> record = page[cursor..];
            if (record.Length < 160)
            {
                break;
            }

            // A log record: length, operation, transaction, LSN, then an image of the row it changed.
            int imageLength = WriteRow(record[24..(record.Length - 2)], (pageNumber * 64) + slots, ref random);
            int length = 24 + imageLength;
            BinaryPrimitives.WriteUInt16LittleEndian(record, (ushort)length);
            record[2] = (byte)(1 + random.Next(4));
            BinaryPrimitives.WriteInt32LittleEndian(record[4..], 1000 + (int)(pageNumber / 3));
            BinaryPrimitives.WriteInt64LittleEndian(record[8..], lsn + slots);
            BinaryPrimitives.WriteInt64LittleEndian(record[16..], lsn + slots - 1);
            cursor += length;
            slots++;
        }

        WriteHeader(page, LogPage, 0, fileNumber, pageNumber, slots, cursor, ref random);
        Seal(page);
    }

    private static void FillRowPage(Span<byte> page, int fileNumber, long pageNumber, ref SampleRandom random)
    {
        int slots = 0;
        int cursor = HeaderLength;
        long firstId = pageNumber * 128;
        while (true)
        {
            int slotArrayStart = PageSize - ((slots + 1) * sizeof(ushort));
            if (slotArrayStart - cursor < 140)
            {
                break;
            }

            int length = WriteRow(page[cursor..slotArrayStart], firstId + slots, ref random);
            BinaryPrimitives.WriteUInt16LittleEndian(page[(PageSize - ((slots + 1) * sizeof(ushort)))..], (ushort)cursor);
            cursor += length;
            slots++;
        }

        WriteHeader(page, DataPage, 0, fileNumber, pageNumber, slots, cursor, ref random);
    }

    private static void FillIndexPage(Span<byte> page, int fileNumber, long pageNumber, ref SampleRandom random)
    {
        const int EntryLength = sizeof(long) + sizeof(uint);
        long key = pageNumber * 10_000;
        int slots = (PageSize - HeaderLength) / (EntryLength + sizeof(ushort));
        int cursor = HeaderLength;
        for (int i = 0; i < slots; i++)
        {
            key += 1 + random.Next(16);
            BinaryPrimitives.WriteInt64LittleEndian(page[cursor..], key);
            BinaryPrimitives.WriteUInt32LittleEndian(page[(cursor + sizeof(long))..], (uint)random.Next(1 << 20));
            BinaryPrimitives.WriteUInt16LittleEndian(page[(PageSize - ((i + 1) * sizeof(ushort)))..], (ushort)cursor);
            cursor += EntryLength;
        }

        WriteHeader(page, IndexPage, 1, fileNumber, pageNumber, slots, cursor, ref random);
    }

    /// <summary>Writes one customer-order row and returns its length.</summary>
    private static int WriteRow(Span<byte> row, long id, ref SampleRandom random)
    {
        // Fixed part: status, length, id, order time, amount in cents, quantity.
        row[0] = 0x30;
        BinaryPrimitives.WriteInt64LittleEndian(row[4..], id);
        BinaryPrimitives.WriteInt64LittleEndian(row[12..], 638_000_000_000_000_000L + (id * 600_000_000L));
        BinaryPrimitives.WriteInt32LittleEndian(row[20..], 100 + random.Next(100_000));
        BinaryPrimitives.WriteInt16LittleEndian(row[24..], (short)(1 + random.Next(9)));
        int cursor = 26;
        cursor += PutName(row[cursor..], FirstNames[random.Next(FirstNames.Length)], LastNames[random.Next(LastNames.Length)]);
        cursor += PutText(row[cursor..], Cities[random.Next(Cities.Length)]);
        cursor += PutText(row[cursor..], Notes[random.Next(Notes.Length)]);
        BinaryPrimitives.WriteUInt16LittleEndian(row[2..], (ushort)cursor);
        return cursor;
    }

    private static int PutName(Span<byte> destination, byte[] first, byte[] last)
    {
        destination[0] = (byte)(first.Length + 1 + last.Length);
        first.CopyTo(destination[1..]);
        destination[1 + first.Length] = (byte)' ';
        last.CopyTo(destination[(2 + first.Length)..]);
        return 2 + first.Length + last.Length;
    }

    private static int PutText(Span<byte> destination, byte[] text)
    {
        destination[0] = (byte)text.Length;
        text.CopyTo(destination[1..]);
        return 1 + text.Length;
    }

    private static void FillRandom(Span<byte> destination, ref SampleRandom random)
    {
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(destination);
        for (int i = 0; i < words.Length; i++)
        {
            // Stored little-endian so the bytes are the same on every host.
            words[i] = BitConverter.IsLittleEndian ? random.NextUInt64() : BinaryPrimitives.ReverseEndianness(random.NextUInt64());
        }

        for (int i = words.Length * sizeof(ulong); i < destination.Length; i++)
        {
            destination[i] = (byte)random.NextUInt64();
        }
    }

    private static void WriteHeader(Span<byte> page, byte type, byte level, int fileNumber, long pageNumber, int slots, int freeOffset, ref SampleRandom random)
    {
        page[TypeOffset] = type;
        page[LevelOffset] = level;
        BinaryPrimitives.WriteUInt16LittleEndian(page[FlagsOffset..], 0x0200);
        BinaryPrimitives.WriteInt32LittleEndian(page[ObjectIdOffset..], 245_575_913 + random.Next(8));
        BinaryPrimitives.WriteInt64LittleEndian(page[PageNumberOffset..], pageNumber);
        BinaryPrimitives.WriteUInt16LittleEndian(page[FileNumberOffset..], (ushort)fileNumber);
        BinaryPrimitives.WriteUInt16LittleEndian(page[SlotCountOffset..], (ushort)slots);
        BinaryPrimitives.WriteUInt16LittleEndian(page[FreeOffsetOffset..], (ushort)Math.Min(freeOffset, ushort.MaxValue));
        BinaryPrimitives.WriteInt64LittleEndian(page[LsnOffset..], (pageNumber << 20) + random.Next(1 << 20));
    }

    /// <summary>Stores the page checksum: CRC-32C of the page with the checksum field zero.</summary>
    private static void Seal(Span<byte> page) =>
        BinaryPrimitives.WriteUInt32LittleEndian(page[ChecksumOffset..], Crc32C.Compute(page));

    private static byte[][] Words(string words) =>
        words.Split(' ').Select(Encoding.ASCII.GetBytes).ToArray();

    private static byte[][] Lines(params string[] lines) =>
        lines.Select(Encoding.ASCII.GetBytes).ToArray();
}
