using System.Globalization;

namespace OpenVdi.Engine.Faults;

/// <summary>
/// The faults the engine injects, for clients under test: each is one way a real server misbehaves or a real backup
/// goes wrong, and they compose. Built from the API or parsed from the command line
/// (<c>flush-every=1MiB,delay=2ms,abort-after=10MiB</c>; see <see cref="Parse"/>).
/// </summary>
public sealed record FaultPlan
{
    /// <summary>No faults.</summary>
    public static FaultPlan None { get; } = new();

    /// <summary>Extra Flushes: a VDC_Flush after every this many bytes on each device (<c>flush-every=SIZE</c>).</summary>
    public long? FlushEvery { get; init; }

    /// <summary>A slow server: this pause before every data command (<c>delay=TIME</c>).</summary>
    public TimeSpan? CommandDelay { get; init; }

    /// <summary>A stalled server: after this many bytes on a device it stops sending (<c>stall-after=SIZE[:TIME]</c>).</summary>
    public long? StallAfterBytes { get; init; }

    /// <summary>How long a stall lasts; until the set aborts when null.</summary>
    public TimeSpan? StallFor { get; init; }

    /// <summary>The server aborts the set once this many bytes have moved over all devices (<c>abort-after=SIZE</c>).</summary>
    public long? AbortAfterBytes { get; init; }

    /// <summary>
    /// Before the first data command on each device, the server sends this command, which a pipe-like client does not
    /// support; after the client's error completion it sends VDC_ClearError and goes on (<c>unsupported=CODE</c>, e.g.
    /// <c>unsupported=VDC_GetPosition</c>).
    /// </summary>
    public VdCommandCode? UnsupportedCommand { get; init; }

    /// <summary>The server closes this device early, with no Flush (<c>close-device=INDEX@SIZE</c>).</summary>
    public int? CloseDevice { get; init; }

    /// <summary>After how many bytes on that device it closes.</summary>
    public long CloseDeviceAfterBytes { get; init; }

    /// <summary>The server's patience with the client: a command not completed in this time aborts the set (<c>client-timeout=TIME</c>).</summary>
    public TimeSpan? ClientTimeout { get; init; }

    /// <summary>Whether any device-level fault is set (the engine then interposes on its devices).</summary>
    public bool AffectsDevices => CommandDelay is not null || StallAfterBytes is not null || AbortAfterBytes is not null
        || UnsupportedCommand is not null || CloseDevice is not null;

    /// <summary>Whether the plan injects nothing.</summary>
    public bool IsEmpty => this == None;

    /// <summary>
    /// This plan with <paramref name="overrides"/> on top: each fault <paramref name="overrides"/> sets replaces the
    /// same fault of this plan, the others stay. How a statement's own faults compose with the engine's.
    /// </summary>
    /// <param name="overrides">The faults that win.</param>
    /// <returns>The combined plan.</returns>
    public FaultPlan CombinedWith(FaultPlan overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new FaultPlan
        {
            FlushEvery = overrides.FlushEvery ?? FlushEvery,
            CommandDelay = overrides.CommandDelay ?? CommandDelay,
            StallAfterBytes = overrides.StallAfterBytes ?? StallAfterBytes,
            StallFor = overrides.StallAfterBytes is not null ? overrides.StallFor : StallFor,
            AbortAfterBytes = overrides.AbortAfterBytes ?? AbortAfterBytes,
            UnsupportedCommand = overrides.UnsupportedCommand ?? UnsupportedCommand,
            CloseDevice = overrides.CloseDevice ?? CloseDevice,
            CloseDeviceAfterBytes = overrides.CloseDevice is not null ? overrides.CloseDeviceAfterBytes : CloseDeviceAfterBytes,
            ClientTimeout = overrides.ClientTimeout ?? ClientTimeout,
        };
    }

    /// <summary>The plan in the form <see cref="Parse"/> reads (empty for no faults): <c>Parse(plan.ToString()) == plan</c>.</summary>
    /// <returns>The comma-separated faults.</returns>
    public override string ToString()
    {
        var parts = new List<string>();
        if (FlushEvery is { } flush)
        {
            parts.Add("flush-every=" + FormatSize(flush));
        }

        if (CommandDelay is { } delay)
        {
            parts.Add("delay=" + FormatTime(delay));
        }

        if (StallAfterBytes is { } stall)
        {
            parts.Add("stall-after=" + FormatSize(stall) + (StallFor is { } time ? ":" + FormatTime(time) : string.Empty));
        }

        if (AbortAfterBytes is { } abort)
        {
            parts.Add("abort-after=" + FormatSize(abort));
        }

        if (UnsupportedCommand is { } command)
        {
            parts.Add("unsupported=" + command);
        }

        if (CloseDevice is { } device)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"close-device={device}@") + FormatSize(CloseDeviceAfterBytes));
        }

        if (ClientTimeout is { } timeout)
        {
            parts.Add("client-timeout=" + FormatTime(timeout));
        }

        return string.Join(',', parts);
    }

    /// <summary>
    /// Parses a comma-separated list of <c>name=value</c> faults: <c>flush-every=SIZE</c>, <c>delay=TIME</c>,
    /// <c>stall-after=SIZE[:TIME]</c>, <c>abort-after=SIZE</c>, <c>unsupported=CODE</c>, <c>close-device=INDEX@SIZE</c>,
    /// <c>client-timeout=TIME</c>. Sizes take B, KiB, MiB, GiB; times ms or s.
    /// </summary>
    /// <exception cref="FormatException">An unknown fault or a malformed value, named in the message.</exception>
    public static FaultPlan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plan = None;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"Fault '{part}' is not name=value.");
            }

            string name = part[..eq].Trim().ToLowerInvariant();
            string value = part[(eq + 1)..].Trim();
            plan = name switch
            {
                "flush-every" => plan with { FlushEvery = ParsePositiveSize(name, value) },
                "delay" => plan with { CommandDelay = ParseTime(value) },
                "stall-after" => ParseStall(plan, value),
                "abort-after" => plan with { AbortAfterBytes = ParseSize(value) },
                "unsupported" => plan with { UnsupportedCommand = ParseCommand(value) },
                "close-device" => ParseCloseDevice(plan, value),
                "client-timeout" => plan with { ClientTimeout = ParseTime(value) },
                _ => throw new FormatException($"Unknown fault '{name}'. Known: flush-every, delay, stall-after, abort-after, unsupported, close-device, client-timeout."),
            };
        }

        return plan;
    }

    private static long ParsePositiveSize(string name, string value)
    {
        long size = ParseSize(value);
        return size > 0 ? size : throw new FormatException($"{name} takes a size of at least 1 byte, not '{value}'.");
    }

    private static FaultPlan ParseStall(FaultPlan plan, string value)
    {
        string[] parts = value.Split(':');
        if (parts.Length > 2)
        {
            throw new FormatException($"stall-after takes SIZE[:TIME], not '{value}'.");
        }

        return plan with { StallAfterBytes = ParseSize(parts[0]), StallFor = parts.Length > 1 ? ParseTime(parts[1]) : null };
    }

    private static FaultPlan ParseCloseDevice(FaultPlan plan, string value)
    {
        string[] parts = value.Split('@');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int device))
        {
            throw new FormatException($"close-device takes INDEX@SIZE, not '{value}'.");
        }

        return plan with { CloseDevice = device, CloseDeviceAfterBytes = ParseSize(parts[1]) };
    }

    private static VdCommandCode ParseCommand(string value)
    {
        if (Enum.TryParse<VdCommandCode>(value.StartsWith("VDC_", StringComparison.OrdinalIgnoreCase) ? value : "VDC_" + value, ignoreCase: true, out var code)
            && code is not (VdCommandCode.VDC_Read or VdCommandCode.VDC_Write or VdCommandCode.VDC_ClearError))
        {
            return code;
        }

        throw new FormatException($"'{value}' is not a command code the server could send unasked (e.g. VDC_GetPosition).");
    }

    /// <summary>Parses a size: a number with an optional B, KiB, MiB or GiB (also K, M, G, KB, MB, GB as powers of 1024).</summary>
    public static long ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(t[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            throw new FormatException($"'{text}' is not a size.");
        }

        long unit = t[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            _ => throw new FormatException($"'{text}' has an unknown unit (B, KiB, MiB, GiB)."),
        };
        double bytes = number * unit;
        if (bytes >= long.MaxValue || bytes != Math.Floor(bytes))
        {
            throw new FormatException($"'{text}' is not a whole number of bytes below 8 EiB.");
        }

        return (long)bytes;
    }

    /// <summary>Parses a time: a number of milliseconds with ms, or seconds with s.</summary>
    public static TimeSpan ParseTime(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        bool seconds = t.EndsWith('s') && !t.EndsWith("ms", StringComparison.OrdinalIgnoreCase);
        string number = t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? t[..^2] : seconds ? t[..^1] : t;
        double milliseconds = double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) ? (seconds ? value * 1000 : value) : -1;
        if (milliseconds < 0 || milliseconds > int.MaxValue)
        {
            throw new FormatException($"'{text}' is not a time (e.g. 250ms, 2s; at most 24 days).");
        }

        return TimeSpan.FromMilliseconds(milliseconds);
    }

    private static string FormatSize(long bytes) => bytes.ToString(CultureInfo.InvariantCulture);

    private static string FormatTime(TimeSpan time) => time.TotalMilliseconds.ToString("0.####", CultureInfo.InvariantCulture) + "ms";
}
