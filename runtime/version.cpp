/// hp::version(): the version the library was built with (hypatia/version.hpp).
#include "hypatia/version.hpp"

namespace hypatia {

std::string version() { return HYPATIA_VERSION_STRING; }

}  // namespace hypatia
