#pragma once
// Everything in xtgrad's tensor library.
#include "tensor/conv.hpp"
#include "tensor/cpu.hpp"
#include "tensor/creation.hpp"
#include "tensor/files.hpp"
#include "tensor/io.hpp"
#include "tensor/linalg.hpp"
#include "tensor/manipulation.hpp"
#include "tensor/math.hpp"
#include "tensor/pooling.hpp"
#include "tensor/random.hpp"
#include "tensor/reduce.hpp"
#include "tensor/tensor.hpp"
