using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OpenVdi.Tests;

/// <summary>
/// The binary contract of spec §2 that programs written against vdi.h and vdierror.h rely on: every value is the
/// header's, every name is there, and nothing else is. Each table below is the spec's table, copied.
/// </summary>
public class ContractTests
{
    /// <summary>Spec §2.2, plus NOERROR and the two codes OpenVdi assigns (docs/decisions.md, "Result codes").</summary>
    public static TheoryData<string, uint, int> ResultCodes => new()
    {
        { "NOERROR", 0x00000000, 0 },
        { "VD_E_NOTOPEN", 0x80770002, -2139684862 },
        { "VD_E_TIMEOUT", 0x80770003, -2139684861 },
        { "VD_E_ABORT", 0x80770004, -2139684860 },
        { "VD_E_SECURITY", 0x80770005, -2139684859 },
        { "VD_E_INVALID", 0x80770006, -2139684858 },
        { "VD_E_INSTANCE_NAME", 0x80770007, -2139684857 },
        { "VD_E_NOTSUPPORTED", 0x80770009, -2139684855 },
        { "VD_E_MEMORY", 0x8077000A, -2139684854 },
        { "VD_E_UNEXPECTED", 0x8077000B, -2139684853 },
        { "VD_E_PROTOCOL", 0x8077000C, -2139684852 },
        { "VD_E_OPEN", 0x8077000D, -2139684851 },
        { "VD_E_CLOSE", 0x8077000E, -2139684850 },
        { "VD_E_BUSY", 0x8077000F, -2139684849 },
        { "VD_E_QUEUE_FULL", 0x80770001, -2139684863 },
        { "VD_E_IO_ERROR", 0x80770008, -2139684856 },
    };

    [Theory]
    [MemberData(nameof(ResultCodes))]
    public void Each_result_code_has_its_HRESULT_value(string name, uint hresult, int asInt32)
    {
        Assert.True(Enum.TryParse(name, out VdiResult result), $"VdiResult has no {name}.");
        Assert.Equal(hresult, (uint)result);
        Assert.Equal(asInt32, unchecked((int)result));
        if (result != VdiResult.NOERROR)
        {
            // VD_ERROR(code) = MAKE_HRESULT(SEVERITY_ERROR, 0x77, code).
            Assert.Equal(0x8077u, (uint)result >> 16);
        }
    }

    [Fact]
    public void Result_codes_are_exactly_those_of_the_table() =>
        AssertSameMembers<VdiResult>(ResultCodes.Select(row => ((string)row[0], (ulong)(uint)row[1])));

    /// <summary>Spec §2.4, VDCommands.</summary>
    public static TheoryData<string, uint> CommandCodes => new()
    {
        { "VDC_Read", 1 },
        { "VDC_Write", 2 },
        { "VDC_ClearError", 3 },
        { "VDC_Rewind", 4 },
        { "VDC_WriteMark", 5 },
        { "VDC_SkipMarks", 6 },
        { "VDC_SkipBlocks", 7 },
        { "VDC_Load", 8 },
        { "VDC_GetPosition", 9 },
        { "VDC_SetPosition", 10 },
        { "VDC_Discard", 11 },
        { "VDC_Flush", 12 },
        { "VDC_Snapshot", 13 },
        { "VDC_MountSnapshot", 14 },
        { "VDC_PrepareToFreeze", 15 },
        { "VDC_FileInfoBegin", 16 },
        { "VDC_FileInfoEnd", 17 },
        { "VDC_GetError", 18 },
        { "VDC_Complete", 19 },
    };

    [Theory]
    [MemberData(nameof(CommandCodes))]
    public void Each_command_code_has_its_value(string name, uint value)
    {
        Assert.True(Enum.TryParse(name, out VdCommandCode code), $"VdCommandCode has no {name}.");
        Assert.Equal(value, (uint)code);
    }

    [Fact]
    public void Command_codes_are_exactly_1_to_19()
    {
        AssertSameMembers<VdCommandCode>(CommandCodes.Select(row => ((string)row[0], (ulong)(uint)row[1])));
        Assert.Equal(Enumerable.Range(1, 19).Select(i => (uint)i), Enum.GetValues<VdCommandCode>().Select(c => (uint)c).Order());
    }

    /// <summary>Spec §2.4, VDFeatures.</summary>
    public static TheoryData<string, uint> FeatureFlags => new()
    {
        { "VDF_Removable", 0x1 },
        { "VDF_Rewind", 0x2 },
        { "VDF_Position", 0x10 },
        { "VDF_SkipBlocks", 0x20 },
        { "VDF_ReversePosition", 0x40 },
        { "VDF_Discard", 0x80 },
        { "VDF_FileMarks", 0x100 },
        { "VDF_RandomAccess", 0x200 },
        { "VDF_SnapshotPrepare", 0x400 },
        { "VDF_EnumFrozenFiles", 0x800 },
        { "VDF_VSSWriter", 0x1000 },
        { "VDF_RequestComplete", 0x2000 },
        { "VDF_WriteMedia", 0x10000 },
        { "VDF_ReadMedia", 0x20000 },
        { "VDF_CompleteEnabled", 0x40000 },
        { "VDF_LatchStats", 0x80000000 },
        { "VDF_LikePipe", 0 },
        { "VDF_LikeTape", 0x173 },
        { "VDF_LikeDisk", 0x200 },
    };

    [Theory]
    [MemberData(nameof(FeatureFlags))]
    public void Each_feature_flag_has_its_value(string name, uint value)
    {
        Assert.True(Enum.TryParse(name, out VdFeatures feature), $"VdFeatures has no {name}.");
        Assert.Equal(value, (uint)feature);
    }

    [Fact]
    public void Feature_flags_are_exactly_those_of_the_table_and_the_personalities_are_their_documented_unions()
    {
        AssertSameMembers<VdFeatures>(FeatureFlags.Select(row => ((string)row[0], (ulong)(uint)row[1])));
        Assert.Equal(
            VdFeatures.VDF_FileMarks | VdFeatures.VDF_Removable | VdFeatures.VDF_Rewind | VdFeatures.VDF_Position | VdFeatures.VDF_SkipBlocks | VdFeatures.VDF_ReversePosition,
            VdFeatures.VDF_LikeTape);
        Assert.Equal(VdFeatures.VDF_RandomAccess, VdFeatures.VDF_LikeDisk);
        Assert.Equal(typeof(uint), Enum.GetUnderlyingType(typeof(VdFeatures)));
    }

    /// <summary>Spec §2.4, VDWhence.</summary>
    public static TheoryData<string, uint> WhenceValues => new()
    {
        { "VDC_Beginning", 0 },
        { "VDC_Current", 1 },
        { "VDC_End", 2 },
    };

    [Theory]
    [MemberData(nameof(WhenceValues))]
    public void Each_whence_has_its_value(string name, uint value)
    {
        Assert.True(Enum.TryParse(name, out VdWhence whence), $"VdWhence has no {name}.");
        Assert.Equal(value, (uint)whence);
    }

    [Fact]
    public void Whence_values_are_exactly_those_of_the_table() =>
        AssertSameMembers<VdWhence>(WhenceValues.Select(row => ((string)row[0], (ulong)(uint)row[1])));

    /// <summary>Spec §2.3, the Win32 completion codes.</summary>
    public static TheoryData<string, uint> CompletionCodes => new()
    {
        { "ERROR_SUCCESS", 0 },
        { "ERROR_INVALID_HANDLE", 6 },
        { "ERROR_ARENA_TRASHED", 7 },
        { "ERROR_BAD_ENVIRONMENT", 10 },
        { "ERROR_WRITE_FAULT", 29 },
        { "ERROR_READ_FAULT", 30 }, // winerror.h; what a client answers a VDC_Read it cannot fill (not in the spec's table)
        { "ERROR_HANDLE_EOF", 38 },
        { "ERROR_HANDLE_DISK_FULL", 39 },
        { "ERROR_NOT_SUPPORTED", 50 },
        { "ERROR_DISK_FULL", 112 },
        { "ERROR_OPERATION_ABORTED", 995 },
        { "ERROR_END_OF_MEDIA", 1100 },
        { "ERROR_FILEMARK_DETECTED", 1101 },
        { "ERROR_BEGINNING_OF_MEDIA", 1102 },
        { "ERROR_NO_DATA_DETECTED", 1104 },
        { "ERROR_IO_DEVICE", 1117 },
        { "ERROR_EOM_OVERFLOW", 1129 },
        { "ERROR_NO_SYSTEM_RESOURCES", 1450 },
    };

    [Theory]
    [MemberData(nameof(CompletionCodes))]
    public void Each_completion_code_has_its_winerror_value(string name, uint value)
    {
        var field = typeof(Win32Error).GetField(name, BindingFlags.Public | BindingFlags.Static);
        Assert.True(field is { IsLiteral: true }, $"Win32Error has no constant {name}.");
        Assert.Equal(typeof(uint), field!.FieldType);
        Assert.Equal(value, (uint)field.GetRawConstantValue()!);
    }

    [Fact]
    public void Completion_codes_are_exactly_those_of_the_table()
    {
        var declared = typeof(Win32Error).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (f.Name, (uint)f.GetRawConstantValue()!)).Order();
        Assert.Equal(CompletionCodes.Select(row => ((string)row[0], (uint)row[1])).Order(), declared);
    }

    /// <summary>Spec §2.5, VDConfig: the documented field, the C# field, and the offset, in the documented order.</summary>
    public static TheoryData<int, string, string, int> ConfigFields => new()
    {
        { 0, "deviceCount", nameof(VdConfig.DeviceCount), 0 },
        { 1, "features", nameof(VdConfig.Features), 4 },
        { 2, "prefixZoneSize", nameof(VdConfig.PrefixZoneSize), 8 },
        { 3, "alignment", nameof(VdConfig.Alignment), 12 },
        { 4, "softFileMarkBlockSize", nameof(VdConfig.SoftFileMarkBlockSize), 16 },
        { 5, "EOMWarningSize", nameof(VdConfig.EOMWarningSize), 20 },
        { 6, "serverTimeOut", nameof(VdConfig.ServerTimeOut), 24 },
        { 7, "blockSize", nameof(VdConfig.BlockSize), 28 },
        { 8, "maxIODepth", nameof(VdConfig.MaxIODepth), 32 },
        { 9, "maxTransferSize", nameof(VdConfig.MaxTransferSize), 36 },
        { 10, "bufferAreaSize", nameof(VdConfig.BufferAreaSize), 40 },
    };

    [Theory]
    [MemberData(nameof(ConfigFields))]
    public void Each_VdConfig_field_is_a_32_bit_value_at_its_documented_offset(int position, string documented, string field, int offset)
    {
        var info = typeof(VdConfig).GetField(field, BindingFlags.Public | BindingFlags.Instance);
        Assert.True(info is not null, $"VdConfig has no field for {documented}.");
        Assert.Equal(typeof(uint), info!.FieldType.IsEnum ? Enum.GetUnderlyingType(info.FieldType) : info.FieldType);
        Assert.Equal(offset, (int)Marshal.OffsetOf<VdConfig>(field));

        // In memory as well as in the marshalled layout: a value put in the field is the word at that offset.
        var config = default(VdConfig);
        object boxed = config;
        info.SetValue(boxed, info.FieldType.IsEnum ? Enum.ToObject(info.FieldType, 0xA5000000u + (uint)position) : 0xA5000000u + (uint)position);
        config = (VdConfig)boxed;
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<VdConfig>(in config));
        for (int word = 0; word < 11; word++)
        {
            Assert.Equal(word == position ? 0xA5000000u + (uint)position : 0u, BitConverter.ToUInt32(bytes.Slice(word * 4, 4)));
        }
    }

    [Fact]
    public void VdConfig_has_the_11_documented_fields_in_order_and_is_44_bytes()
    {
        var declared = typeof(VdConfig).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .OrderBy(f => Marshal.OffsetOf<VdConfig>(f.Name)).Select(f => f.Name);
        Assert.Equal(ConfigFields.Select(row => (string)row[2]), declared);
        Assert.Equal(44, VdConfig.Size);
        Assert.Equal(44, Unsafe.SizeOf<VdConfig>());
        Assert.Equal(44, Marshal.SizeOf<VdConfig>());
        Assert.True(typeof(VdConfig).IsLayoutSequential, "VdConfig's layout is not sequential.");
        Assert.Equal(8, typeof(VdConfig).StructLayoutAttribute!.Pack);
    }

    /// <summary>The enum's members are exactly <paramref name="table"/>: no name missing, none extra, each value right.</summary>
    private static void AssertSameMembers<TEnum>(IEnumerable<(string Name, ulong Value)> table)
        where TEnum : struct, Enum
    {
        var declared = Enum.GetNames<TEnum>().Select(n => (n, Convert.ToUInt64(Enum.Parse<TEnum>(n), System.Globalization.CultureInfo.InvariantCulture))).Order();
        Assert.Equal(table.Order(), declared);
    }
}
