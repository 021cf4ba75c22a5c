using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// The client's LOGIN7 record (MS-TDS 2.2.6.4): a fixed part of 94 bytes (lengths, version, packet size, flags, then
/// offset/length pairs), the variable part the pairs point into, and optionally the feature extensions.
/// </summary>
internal sealed class Login7Request
{
    private const int FixedLength = 94;
    private const byte IntegratedSecurityFlag = 0x80;
    private const byte ExtensionFlag = 0x10;
    private const byte FeatureTerminator = 0xFF;

    /// <summary>FEDAUTH: Azure AD (Entra) authentication, which the engine does not accept.</summary>
    private const byte FederatedAuthenticationFeature = 0x02;

    private Login7Request()
    {
    }

    public uint TdsVersion { get; private init; }

    public int PacketSize { get; private init; }

    public string HostName { get; private init; } = string.Empty;

    public string UserName { get; private init; } = string.Empty;

    /// <summary>The password, decoded; empty for integrated security.</summary>
    public string Password { get; private init; } = string.Empty;

    public string ApplicationName { get; private init; } = string.Empty;

    public string Database { get; private init; } = string.Empty;

    public string Language { get; private init; } = string.Empty;

    /// <summary>The client asked for integrated (SSPI) authentication.</summary>
    public bool IntegratedSecurity { get; private init; }

    /// <summary>The client asked for federated (Entra) authentication.</summary>
    public bool FederatedAuthentication { get; private init; }

    /// <summary>The client sent feature extensions (then it expects FEATUREEXTACK).</summary>
    public bool HasFeatureExtensions { get; private init; }

    /// <summary>Reads a LOGIN7 record.</summary>
    /// <exception cref="TdsProtocolException">The record is shorter than it says, or a field lies outside it.</exception>
    public static Login7Request Parse(byte[] payload)
    {
        if (payload.Length < FixedLength)
        {
            throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"The LOGIN7 record has {payload.Length} bytes, fewer than its fixed part's {FixedLength}."));
        }

        var fixedPart = new TdsPayloadReader(payload, 0, FixedLength);
        uint length = fixedPart.UInt32();
        if (length > payload.Length || length < FixedLength)
        {
            throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"The LOGIN7 record says it has {length} bytes; the message has {payload.Length}."));
        }

        uint version = fixedPart.UInt32();
        uint packetSize = fixedPart.UInt32();
        fixedPart.Skip(12); // client program version, process id, connection id
        fixedPart.Skip(1);
        byte flags2 = fixedPart.Byte();
        fixedPart.Skip(1);
        byte flags3 = fixedPart.Byte();
        fixedPart.Skip(8); // time zone, LCID
        int end = (int)length;
        string host = Text(payload, fixedPart, end);
        string user = Text(payload, fixedPart, end);
        var (passwordOffset, passwordLength) = Pair(fixedPart);
        string application = Text(payload, fixedPart, end);
        _ = Text(payload, fixedPart, end); // server name
        var (extensionOffset, extensionLength) = Pair(fixedPart);
        _ = Text(payload, fixedPart, end); // client interface name
        string language = Text(payload, fixedPart, end);
        string database = Text(payload, fixedPart, end);

        bool hasExtensions = (flags3 & ExtensionFlag) != 0 && extensionLength >= 4;
        bool federated = false;
        if (hasExtensions)
        {
            var pointer = new TdsPayloadReader(payload, extensionOffset, end);
            federated = ReadFeatures(payload, (int)pointer.UInt32(), end);
        }

        return new Login7Request
        {
            TdsVersion = version,
            PacketSize = (int)Math.Min(packetSize, int.MaxValue),
            HostName = host,
            UserName = user,
            Password = DecodePassword(payload, passwordOffset, passwordLength, end),
            ApplicationName = application,
            Language = language,
            Database = database,
            IntegratedSecurity = (flags2 & IntegratedSecurityFlag) != 0,
            FederatedAuthentication = federated,
            HasFeatureExtensions = hasExtensions,
        };
    }

    private static (int Offset, int Length) Pair(TdsPayloadReader reader) => (reader.UInt16(), reader.UInt16());

    private static string Text(byte[] payload, TdsPayloadReader fixedPart, int end)
    {
        var (offset, characters) = Pair(fixedPart);
        return characters == 0 ? string.Empty : new TdsPayloadReader(payload, offset, end).Unicode(characters);
    }

    /// <summary>Undoes the client's scrambling: each byte was nibble-swapped, then XORed with 0xA5.</summary>
    private static string DecodePassword(byte[] payload, int offset, int characters, int end)
    {
        if (characters == 0)
        {
            return string.Empty;
        }

        var scrambled = new TdsPayloadReader(payload, offset, end).Bytes(characters * 2);
        var clear = new byte[scrambled.Length];
        try
        {
            for (int i = 0; i < scrambled.Length; i++)
            {
                int b = scrambled[i] ^ 0xA5;
                clear[i] = (byte)((b << 4) | (b >> 4));
            }

            return Encoding.Unicode.GetString(clear);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
        }
    }

    /// <summary>Walks FeatureExt (id, 4-byte length, data … 0xFF); true when it asks for federated authentication.</summary>
    private static bool ReadFeatures(byte[] payload, int offset, int end)
    {
        var features = new TdsPayloadReader(payload, offset, end);
        bool federated = false;
        while (true)
        {
            byte id = features.Byte();
            if (id == FeatureTerminator)
            {
                return federated;
            }

            uint length = features.UInt32();
            if (length > features.Remaining)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"LOGIN7 feature {id} is longer than its record."));
            }

            features.Skip((int)length);
            federated |= id == FederatedAuthenticationFeature;
        }
    }
}
