namespace OpenVdi.Bench;

/// <summary>What carries the bytes from the producer to the consumer.</summary>
internal enum TransportKind
{
    /// <summary>OpenVdi: a server process sends VDC_Write commands whose buffers the client process reads in place.</summary>
    OpenVdi,

    /// <summary>A pipe (a FIFO) between the two processes, one per stream, its capacity raised to the system's maximum.</summary>
    Pipe,

    /// <summary>A Unix domain stream socket between the two processes (what .NET's NamedPipe streams are on Linux).</summary>
    UnixSocket,

    /// <summary>
    /// The limit: two threads of one process, the producer copying each chunk once into a ring of buffers that the
    /// consumer reads in place. What a zero-copy transport can at best approach.
    /// </summary>
    InProcessCopy,

    /// <summary>
    /// OpenVdi to a C++ client through libsqlvdi.so, the drop-in for Microsoft's library: the same server as
    /// <see cref="OpenVdi"/>, a native consumer. Not in the default plan: it needs the library built (docs/sqlvdi.md).
    /// </summary>
    DropIn,
}

/// <summary>Names for the table and the JSON.</summary>
internal static class TransportKindNames
{
    /// <summary>The name a reader sees.</summary>
    public static string Display(this TransportKind kind) => kind switch
    {
        TransportKind.OpenVdi => "OpenVdi",
        TransportKind.Pipe => "pipe",
        TransportKind.UnixSocket => "unix socket",
        TransportKind.InProcessCopy => "in-process copy",
        TransportKind.DropIn => "drop-in (C++)",
        _ => kind.ToString(),
    };

    /// <summary>The name on the peer's command line and in the JSON.</summary>
    public static string Key(this TransportKind kind) => kind switch
    {
        TransportKind.OpenVdi => "openvdi",
        TransportKind.Pipe => "pipe",
        TransportKind.UnixSocket => "unix-socket",
        TransportKind.InProcessCopy => "in-process-copy",
        TransportKind.DropIn => "drop-in",
        _ => kind.ToString(),
    };

    /// <summary>The kind named by <see cref="Key"/>.</summary>
    /// <exception cref="FormatException">No such transport.</exception>
    public static TransportKind Parse(string key)
    {
        foreach (var kind in Enum.GetValues<TransportKind>())
        {
            if (kind.Key() == key)
            {
                return kind;
            }
        }

        throw new FormatException($"No transport is called '{key}'.");
    }

    /// <summary>Every transport's <see cref="Key"/>, for a sentence: <c>openvdi, pipe, … and drop-in</c>.</summary>
    public static string AllKeys()
    {
        var keys = Enum.GetValues<TransportKind>().Select(Key).ToArray();
        return string.Join(", ", keys[..^1]) + " and " + keys[^1];
    }
}
