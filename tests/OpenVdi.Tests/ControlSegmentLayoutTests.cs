using System.Globalization;
using System.Text.RegularExpressions;
using OpenVdi.Transport;
using static OpenVdi.Transport.ControlSegmentDescriptor;

namespace OpenVdi.Tests;

/// <summary>
/// The control segment's layout, derived in code from running totals: no two fields overlap, each fits its block,
/// every hot word has its 128-byte block to itself, and docs/transport-layout.md gives exactly the offsets and sizes
/// the code uses (the doc cannot drift from the code).
/// </summary>
public partial class ControlSegmentLayoutTests
{
    /// <summary>The futex words and what is written beside them, each group alone in its block.</summary>
    private static readonly string[][] s_hotGroups =
    [
        ["set state", "abort reason"],
        ["config event", "config waiters"],
        ["agent event", "agent waiting", "dirty devices"],
        ["doorbell", "doorbell waiters", "ready devices"],
    ];

    private static readonly string[][] s_deviceHotGroups =
    [
        ["wake", "waiters", "armed"],
        ["tail", "state"],
        ["head", "closed"],
    ];

    [Fact]
    public void No_two_header_fields_overlap_and_all_lie_within_the_header() =>
        Assert.Null(FirstProblem(HeaderFields, HeaderLength));

    [Fact]
    public void No_two_device_fields_overlap_and_all_lie_before_the_slots() =>
        Assert.Null(FirstProblem(DeviceFields, DeviceSlotsOffset));

    [Fact]
    public void The_overlap_check_finds_a_planted_overlap_and_a_field_past_the_end()
    {
        // The check itself, against known-bad tables: it must not pass everything.
        (string, int, int)[] overlapping = [("a", 0, 8), ("b", 4, 4)];
        (string, int, int)[] tooLong = [("a", 0, 8), ("b", 8, 8)];

        Assert.Contains("'a' and 'b' overlap", FirstProblem(overlapping, 64), StringComparison.Ordinal);
        Assert.Contains("'b' ends at 16", FirstProblem(tooLong, 12), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_hot_word_has_its_128_byte_block_to_itself()
    {
        AssertGroupsAlone(HeaderFields, s_hotGroups);
        AssertGroupsAlone(DeviceFields, s_deviceHotGroups);
    }

    [Fact]
    public void The_header_and_device_record_sizes_follow_from_the_fields()
    {
        Assert.Equal(HeaderLength, RoundUp(HeaderFields.Max(f => f.Offset + f.Length), CacheLinePair));
        Assert.Equal(DeviceSlotsOffset, RoundUp(DeviceFields.Max(f => f.Offset + f.Length), CacheLinePair));
        Assert.Equal(DeviceSlotsOffset + (SlotsPerDevice * SlotLength), DeviceRecordLength(SlotsPerDevice));
        Assert.Equal(HeaderLength + (3L * DeviceRecordLength(SlotsPerDevice)), SegmentLength(3, SlotsPerDevice));
    }

    [Fact]
    public void The_documented_header_table_gives_exactly_the_offsets_and_sizes_of_the_code() =>
        Assert.Equal(Spans(HeaderFields), DocumentedSpans("### Header"));

    [Fact]
    public void The_documented_device_record_table_gives_exactly_the_offsets_and_sizes_of_the_code() =>
        Assert.Equal(Spans(DeviceFields), DocumentedSpans("### Device record").Where(span => span.Offset != DeviceSlotsOffset));

    [Fact]
    public void The_documented_layout_version_and_header_length_are_the_code_s()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "transport-layout.md"));

        Assert.Contains($"layout version ({LayoutVersion})", doc, StringComparison.Ordinal);
        Assert.Contains($"header length ({HeaderLength})", doc, StringComparison.Ordinal);
        Assert.Contains($"0                     header, {HeaderLength} bytes", doc, StringComparison.Ordinal);
    }

    /// <summary>Why <paramref name="fields"/> is not a layout within <paramref name="length"/> bytes; null when it is.</summary>
    private static string? FirstProblem((string Name, int Offset, int Length)[] fields, int length)
    {
        var sorted = fields.OrderBy(f => f.Offset).ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            var field = sorted[i];
            if (field.Offset < 0 || field.Length <= 0)
            {
                return $"'{field.Name}' has offset {field.Offset} and length {field.Length}";
            }

            if (field.Offset + field.Length > length)
            {
                return $"'{field.Name}' ends at {field.Offset + field.Length}, past {length}";
            }

            if (i > 0 && sorted[i - 1].Offset + sorted[i - 1].Length > field.Offset)
            {
                return $"'{sorted[i - 1].Name}' and '{field.Name}' overlap";
            }
        }

        return null;
    }

    private static void AssertGroupsAlone((string Name, int Offset, int Length)[] fields, string[][] groups)
    {
        foreach (var group in groups)
        {
            var members = fields.Where(f => group.Contains(f.Name)).ToArray();
            Assert.Equal(group.Length, members.Length);
            int block = members[0].Offset / CacheLinePair;
            Assert.All(members, m => Assert.True(m.Offset / CacheLinePair == block && (m.Offset + m.Length - 1) / CacheLinePair == block, $"'{m.Name}' leaves the block of '{group[0]}'."));
            var intruders = fields.Where(f => !group.Contains(f.Name) && f.Offset / CacheLinePair <= block && (f.Offset + f.Length - 1) / CacheLinePair >= block);
            Assert.True(!intruders.Any(), $"The block of '{group[0]}' also holds {string.Join(", ", intruders.Select(f => f.Name))}.");
        }
    }

    private static (int Offset, int Size)[] Spans((string Name, int Offset, int Length)[] fields) =>
        [.. fields.Select(f => (f.Offset, f.Length)).Order()];

    /// <summary>The offset and size columns of the table under <paramref name="heading"/> in docs/transport-layout.md.</summary>
    private static (int Offset, int Size)[] DocumentedSpans(string heading)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "docs", "transport-layout.md"));
        int start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"docs/transport-layout.md has no '{heading}'.");
        var spans = new List<(int, int)>();
        foreach (string line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith('#')))
        {
            var row = TableRow().Match(line);
            if (row.Success)
            {
                int size = row.Groups["times"].Success
                    ? int.Parse(row.Groups["size"].Value, CultureInfo.InvariantCulture) * int.Parse(row.Groups["times"].Value, CultureInfo.InvariantCulture)
                    : int.Parse(row.Groups["size"].Value, CultureInfo.InvariantCulture);
                spans.Add((int.Parse(row.Groups["offset"].Value, CultureInfo.InvariantCulture), size));
            }
        }

        return [.. spans.Order()];
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    [GeneratedRegex(@"^\| (?<offset>\d+) \| (?<size>\d+)( × (?<times>\d+))? \|")]
    private static partial Regex TableRow();
}
