/** DWARF 2–5 numbers the symbolizer reads (forms, attributes, tags), and its own value kinds. */

// Forms.
export const F_ADDR = 0x01, F_BLOCK2 = 0x03, F_BLOCK4 = 0x04, F_DATA2 = 0x05, F_DATA4 = 0x06, F_DATA8 = 0x07;
export const F_STRING = 0x08, F_BLOCK = 0x09, F_BLOCK1 = 0x0a, F_DATA1 = 0x0b, F_FLAG = 0x0c, F_SDATA = 0x0d;
export const F_STRP = 0x0e, F_UDATA = 0x0f, F_REF_ADDR = 0x10, F_REF1 = 0x11, F_REF2 = 0x12, F_REF4 = 0x13;
export const F_REF8 = 0x14, F_REF_UDATA = 0x15, F_INDIRECT = 0x16, F_SEC_OFFSET = 0x17, F_EXPRLOC = 0x18;
export const F_FLAG_PRESENT = 0x19, F_STRX = 0x1a, F_ADDRX = 0x1b, F_REF_SUP4 = 0x1c, F_STRP_SUP = 0x1d;
export const F_DATA16 = 0x1e, F_LINE_STRP = 0x1f, F_REF_SIG8 = 0x20, F_IMPLICIT_CONST = 0x21, F_LOCLISTX = 0x22;
export const F_RNGLISTX = 0x23, F_REF_SUP8 = 0x24, F_STRX1 = 0x25, F_STRX2 = 0x26, F_STRX3 = 0x27, F_STRX4 = 0x28;
export const F_ADDRX1 = 0x29, F_ADDRX2 = 0x2a, F_ADDRX3 = 0x2b, F_ADDRX4 = 0x2c;
export const F_GNU_ADDR_INDEX = 0x1f01, F_GNU_STR_INDEX = 0x1f02, F_GNU_REF_ALT = 0x1f20, F_GNU_STRP_ALT = 0x1f21;
// Attributes.
export const A_NAME = 0x03, A_STMT_LIST = 0x10, A_LOW_PC = 0x11, A_HIGH_PC = 0x12, A_COMP_DIR = 0x1b;
export const A_ABSTRACT_ORIGIN = 0x31, A_SPECIFICATION = 0x47, A_RANGES = 0x55, A_CALL_FILE = 0x58, A_CALL_LINE = 0x59;
export const A_LINKAGE_NAME = 0x6e, A_MIPS_LINKAGE_NAME = 0x2007, A_STR_OFFSETS_BASE = 0x72, A_ADDR_BASE = 0x73, A_RNGLISTS_BASE = 0x74;
// Tags.
export const T_ENTRY_POINT = 0x03, T_COMPILE_UNIT = 0x11, T_INLINED = 0x1d, T_SUBPROGRAM = 0x2e, T_SKELETON = 0x4a;
// Attribute value kinds (libbacktrace's enum attr_val_encoding).
export const V_NONE = 0, V_ADDRESS = 1, V_UINT = 2, V_SINT = 3, V_STRING = 4, V_BLOCK = 5, V_REF_UNIT = 6, V_REF_INFO = 7;
export const V_REF_SECTION = 8, V_REF_TYPE = 9, V_STRING_INDEX = 10, V_ADDRESS_INDEX = 11, V_RNGLISTS_INDEX = 12;

/** DIE nesting deeper than this is treated as corrupt (hostile input must not overflow the stack). */
export const MAX_DEPTH = 512;
/** DW_AT_specification chains followed at most this far (a cycle must not loop). */
export const MAX_REFERENCE_HOPS = 16;
