# Copyright (c) mmir contributors. All rights reserved.
