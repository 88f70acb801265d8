/// \file Hypatia's whole public API. `#include <hypatia/hypatia.hpp>` and
/// `namespace hp = hypatia;`.
#pragma once

#include "hypatia/array.hpp"
#include "hypatia/config.hpp"
#include "hypatia/dtype.hpp"
#include "hypatia/error.hpp"
#include "hypatia/function.hpp"
#include "hypatia/grad.hpp"
#include "hypatia/graph.hpp"
#include "hypatia/ops.hpp"
#include "hypatia/print.hpp"
#include "hypatia/nnet.hpp"
#include "hypatia/render.hpp"
#include "hypatia/version.hpp"
#include "hypatia/array_ops.hpp"
#include "hypatia/npy.hpp"
#include "hypatia/random.hpp"
