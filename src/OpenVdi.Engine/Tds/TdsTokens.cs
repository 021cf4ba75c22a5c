using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Tds;

/// <summary>Writes the tokens of the server's answers (MS-TDS 2.2.7), in their TDS 7.2+ forms.</summary>
internal static class TdsTokens
{
    /// <summary>ENVCHANGE types the engine sends.</summary>
    public const byte EnvDatabase = 1;

    /// <summary>ENVCHANGE: language.</summary>
    public const byte EnvLanguage = 2;

    /// <summary>ENVCHANGE: packet size.</summary>
    public const byte EnvPacketSize = 4;

    /// <summary>ENVCHANGE: SQL collation.</summary>
    public const byte EnvCollation = 7;

    /// <summary>The longest message text SQL Server sends (its messages are at most 2047 characters; this leaves room).</summary>
    private const int MaxMessageCharacters = 4000;

    /// <summary>The interface byte of LOGINACK: T-SQL.</summary>
    private const byte TransactSqlInterface = 1;

    /// <summary>DONE, DONEPROC or DONEINPROC: status, current command (0: the engine does not name it), row count.</summary>
    public static void Done(TdsTokenBuffer buffer, TdsTokenType type, TdsDoneStatus status, long rowCount = 0)
    {
        buffer.Byte((byte)type);
        buffer.UInt16((ushort)status);
        buffer.UInt16(0);
        buffer.Int64(rowCount);
    }

    /// <summary>An INFO token (severity 10 and below) or an ERROR token (above), as SQL Server fills them.</summary>
    public static void Message(TdsTokenBuffer buffer, SqlMessage message, string serverName, string procedure = "")
    {
        buffer.Byte((byte)(message.IsError ? TdsTokenType.Error : TdsTokenType.Info));
        int length = buffer.BeginLength();
        buffer.Int32(message.Number);
        buffer.Byte(message.State);
        buffer.Byte(message.Severity);
        buffer.UsVarChar(message.Text, MaxMessageCharacters);
        buffer.BVarChar(serverName);
        buffer.BVarChar(procedure);
        buffer.Int32(message.LineNumber);
        buffer.EndLength(length);
    }

    /// <summary>ENVCHANGE of a text setting (database, language, packet size): type, new value, old value.</summary>
    public static void EnvChange(TdsTokenBuffer buffer, byte type, string newValue, string oldValue)
    {
        buffer.Byte((byte)TdsTokenType.EnvChange);
        int length = buffer.BeginLength();
        buffer.Byte(type);
        buffer.BVarChar(newValue);
        buffer.BVarChar(oldValue);
        buffer.EndLength(length);
    }

    /// <summary>ENVCHANGE of the collation: the 5 bytes of <see cref="TdsProtocol.Collation"/>, no old value.</summary>
    public static void CollationChange(TdsTokenBuffer buffer)
    {
        buffer.Byte((byte)TdsTokenType.EnvChange);
        int length = buffer.BeginLength();
        buffer.Byte(EnvCollation);
        buffer.Byte((byte)TdsProtocol.Collation.Length);
        buffer.Bytes(TdsProtocol.Collation);
        buffer.Byte(0);
        buffer.EndLength(length);
    }

    /// <summary>LOGINACK: T-SQL, the TDS version (big-endian, as the token carries it), the program's name and version.</summary>
    public static void LoginAck(TdsTokenBuffer buffer, uint tdsVersion, string programName)
    {
        buffer.Byte((byte)TdsTokenType.LoginAck);
        int length = buffer.BeginLength();
        buffer.Byte(TransactSqlInterface);
        buffer.UInt32BigEndian(tdsVersion);
        buffer.BVarChar(programName);
        buffer.Byte(TdsProtocol.ServerMajorVersion);
        buffer.Byte(TdsProtocol.ServerMinorVersion);
        buffer.Byte((byte)(TdsProtocol.ServerBuild >> 8));
        buffer.Byte(unchecked((byte)TdsProtocol.ServerBuild));
        buffer.EndLength(length);
    }

    /// <summary>FEATUREEXTACK acknowledging none of the client's features: the engine uses none of them.</summary>
    public static void NoFeaturesAcknowledged(TdsTokenBuffer buffer)
    {
        buffer.Byte((byte)TdsTokenType.FeatureExtAck);
        buffer.Byte(0xFF);
    }

    /// <summary>RETURNSTATUS: the procedure's return value.</summary>
    public static void ReturnStatus(TdsTokenBuffer buffer, int value)
    {
        buffer.Byte((byte)TdsTokenType.ReturnStatus);
        buffer.Int32(value);
    }
}
