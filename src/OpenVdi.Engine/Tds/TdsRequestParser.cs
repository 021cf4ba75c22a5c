using System.Globalization;

namespace OpenVdi.Engine.Tds;

/// <summary>Reads the two requests the engine runs: a SQL batch (MS-TDS 2.2.6.7) and an RPC request (2.2.6.6).</summary>
internal static class TdsRequestParser
{
    /// <summary>The separators between the calls of one RPC request (TDS 7.2+: BatchFlag, NoExecFlag).</summary>
    private const byte BatchFlag = 0xFF;
    private const byte NoExecFlag = 0xFE;
    private const ushort ProcIdFollows = 0xFFFF;

    /// <summary>The batch's text.</summary>
    /// <exception cref="TdsProtocolException">ALL_HEADERS is malformed, or the text is not whole UTF-16 characters.</exception>
    public static string SqlBatch(byte[] payload)
    {
        var reader = new TdsPayloadReader(payload);
        reader.SkipAllHeaders();
        if (reader.Remaining % 2 != 0)
        {
            throw new TdsProtocolException("A SQL batch's text has an odd number of bytes.");
        }

        return reader.Unicode(reader.Remaining / 2);
    }

    /// <summary>The calls of an RPC request, with their parameters' values.</summary>
    /// <exception cref="TdsProtocolException">A field runs past the message.</exception>
    /// <exception cref="NotSupportedException">A parameter of a type the engine does not read.</exception>
    public static IReadOnlyList<RpcCall> Rpc(byte[] payload)
    {
        var reader = new TdsPayloadReader(payload);
        reader.SkipAllHeaders();
        var calls = new List<RpcCall>();
        while (!reader.AtEnd)
        {
            ushort nameLength = reader.UInt16();
            string procedure;
            if (nameLength == ProcIdFollows)
            {
                ushort id = reader.UInt16();
                procedure = id == TdsProtocol.ProcIdExecuteSql ? "sp_executesql" : string.Create(CultureInfo.InvariantCulture, $"(procedure id {id})");
            }
            else
            {
                procedure = reader.Unicode(nameLength);
            }

            reader.UInt16(); // option flags: recompile, no metadata
            var parameters = new List<(string, object?)>();
            while (!reader.AtEnd)
            {
                byte next = reader.Bytes(1)[0];
                if (next is BatchFlag or NoExecFlag)
                {
                    break;
                }

                // The byte just read is the name's length: read the name from it.
                string name = reader.Unicode(next);
                reader.Byte(); // status flags: by reference, default value
                parameters.Add((name, TdsParameterValueReader.Read(reader)));
            }

            calls.Add(new RpcCall(procedure, parameters));
        }

        if (calls.Count == 0)
        {
            throw new TdsProtocolException("An RPC request names no procedure.");
        }

        return calls;
    }
}
