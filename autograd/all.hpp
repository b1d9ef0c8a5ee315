#pragma once
// Everything in xtgrad's autograd (and the tensor library under it).
#include "autograd/anomaly.hpp"
#include "autograd/dot.hpp"
#include "autograd/engine.hpp"
#include "autograd/function.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "autograd/variable.hpp"
#include "tensor/all.hpp"
