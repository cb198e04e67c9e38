package localengine

// MemoryCeiling is the resident memory the engine stays under whatever its
// clients send (README, "Bounded under slow and large clients").
const MemoryCeiling = 256 << 20
