using System.Globalization;

namespace OpenVdi.Cli.Client;

/// <summary>The options that shape the transfer, each left to the engine when null.</summary>
/// <param name="BlockSize">BLOCKSIZE.</param>
/// <param name="MaxTransferSize">MAXTRANSFERSIZE.</param>
/// <param name="BufferCount">BUFFERCOUNT.</param>
/// <param name="Stats">STATS: progress every that many percent.</param>
internal sealed record TransferOptions(int? BlockSize = null, int? MaxTransferSize = null, int? BufferCount = null, int? Stats = null)
{
    /// <summary>The WITH clauses for the options given.</summary>
    public IReadOnlyList<string> Clauses()
    {
        var clauses = new List<string>();
        Add("STATS", Stats);
        Add("BLOCKSIZE", BlockSize);
        Add("MAXTRANSFERSIZE", MaxTransferSize);
        Add("BUFFERCOUNT", BufferCount);
        return clauses;

        void Add(string name, int? value)
        {
            if (value is { } v)
            {
                clauses.Add(string.Create(CultureInfo.InvariantCulture, $"{name} = {v}"));
            }
        }
    }
}
